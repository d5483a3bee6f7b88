// Files that are not on disk: the nixpkgs `lib` prelude nixkit evaluates. Values from them carry no location a
// finding could point at. A leaf module on purpose: the evaluator and the lib model import each other, and a
// constant defined in either one is still undefined while the other is being loaded.
export const VIRTUAL_PREFIX = '<nixkit>/';

export function isVirtualFile(file: string | undefined): boolean {
  return !!file && file.startsWith(VIRTUAL_PREFIX);
}
