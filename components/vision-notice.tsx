import { useLocale, useTranslations } from 'next-intl';

/**
 * Said before sending when an image would go to a model that cannot see it: which model, and a
 * button for each model that can. New images cannot be sent to it (none can see: they have to
 * go); with `leftOut`, only the chat's earlier images are concerned, and it is told they are
 * left out of what that model is sent.
 */
export function VisionNotice({
  blind,
  seeing,
  leftOut,
  onUse,
}: {
  blind: string[];
  seeing: string[];
  leftOut: boolean;
  onUse: (model: string) => void;
}) {
  const t = useTranslations();
  const models = new Intl.ListFormat(useLocale()).format(blind);
  const said = leftOut
    ? t('vision.leftOut', { models }) + (seeing.length > 0 ? ` ${t('vision.orPick')}` : '')
    : `${t('vision.blind', { models })} ${seeing.length > 0 ? t('vision.pick') : t('vision.none')}`;
  return (
    <div
      role={leftOut ? 'status' : 'alert'}
      className="mb-2 rounded-xl border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      <p>{said}</p>
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
