/**
 * `$$…$$` written on one line as a paragraph of its own is display math, as people (and models)
 * mean it and as ChatGPT and Claude show it. remark-math reads it as inline math, since its
 * display form needs the dollars on lines of their own; this remark plugin, run after
 * remark-math, marks such a lone formula for display. `$$…$$` inside a sentence stays inline.
 */
interface MdNode {
  type: string;
  children?: MdNode[];
  value?: string;
  position?: { start: { offset?: number } };
  data?: { hProperties?: Record<string, unknown> };
}

const isBlank = (node: MdNode) => node.type === 'text' && !node.value?.trim();

/** The inline formula that is all a paragraph holds, if it was written with `$$`. */
function loneDoubleDollar(paragraph: MdNode, source: string): MdNode | undefined {
  const content = paragraph.children?.filter((c) => !isBlank(c)) ?? [];
  const only = content.length === 1 ? content[0] : undefined;
  if (only?.type !== 'inlineMath') return undefined;
  const at = only.position?.start.offset;
  return at !== undefined && source.startsWith('$$', at) ? only : undefined;
}

function visit(node: MdNode, source: string) {
  for (const child of node.children ?? []) {
    const formula = child.type === 'paragraph' ? loneDoubleDollar(child, source) : undefined;
    if (formula) {
      formula.data = {
        ...formula.data,
        hProperties: { ...formula.data?.hProperties, className: ['language-math', 'math-display'] },
      };
    } else {
      visit(child, source);
    }
  }
}

export function remarkDisplayMathAlone() {
  return (tree: MdNode, file: { value: unknown }) => {
    if (typeof file.value === 'string') visit(tree, file.value);
  };
}
