import { useLocale, useTranslations } from 'next-intl';

/**
 * Said before sending when an image would go to a model that cannot see it: which model, and a
 * button for each model that can (none: the images have to go).
 */
export function VisionNotice({
  blind,
  seeing,
  onUse,
}: {
  blind: string[];
  seeing: string[];
  onUse: (model: string) => void;
}) {
  const t = useTranslations();
  const models = new Intl.ListFormat(useLocale()).format(blind);
  return (
    <div
      role="alert"
      className="mb-2 rounded-xl border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <p>
        {t('vision.blind', { models })} {seeing.length > 0 ? t('vision.pick') : t('vision.none')}
      </p>
      {seeing.length > 0 && (
        <div className="mt-1.5 flex flex-wrap gap-2">
          {seeing.map((id) => (
            <button
              key={id}
              type="button"
              className="btn-ghost border border-amber-400 dark:border-amber-600"
              onClick={() => onUse(id)}
            >
              {t('vision.use', { model: id })}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
