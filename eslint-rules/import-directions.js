import path from 'node:path';
import { ENTRY_FILES, LAYERS } from './layers.js';

function layerOf(file, srcRoot) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..')) return null;
  const [first] = rel.split(path.sep);
  return ENTRY_FILES.includes(first) ? 'entry' : first;
}

/** Reports an import from src/<a>/ of src/<b>/ that DESIGN.md's layout does not allow. */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the dependency directions between the folders of src/' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const srcRoot = path.join(context.cwd, 'src');
    const from = layerOf(file, srcRoot);
    if (from === null || from === 'entry') return {};
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), spec), srcRoot);
      if (to === null || to === from) return;
      const allowed = LAYERS[from];
      if (!allowed) {
        context.report({ node, message: `src/${from}/ is not a folder of DESIGN.md's layout` });
      } else if (!allowed.includes(to)) {
        context.report({ node, message: `src/${from}/ may not import src/${to}/ (DESIGN.md: ${from} -> ${allowed.join(', ') || 'nothing'})` });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
