/**
 * Whether a block holds math, so that KaTeX (about 80 KB compressed, plus CSS and fonts) is
 * loaded and used only where needed. Inline `$…$` follows Pandoc's rule so that prices are not
 * math: the opening `$` is followed by a non-space, the closing one preceded by a non-space and
 * not followed by a digit ("$5 and $10" is not math, "$x^2$" is). remark-math itself pairs any
 * two dollars, so in a block that does hold math, prices may still be read as math.
 */
const DISPLAY = /(?:^|\n)[ \t]*\$\$|\$\$(?=\S)[^$]*?\S\$\$/;
const INLINE = /(?:^|[^\\$])\$(?=[^\s$])(?:[^$\n\\]|\\.)*?[^\s$\\]\$(?!\d)/;

export const hasMath = (text: string) =>
  text.includes('$') && (DISPLAY.test(text) || INLINE.test(text));
