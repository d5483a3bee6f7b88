// Whether a file's value is a NixOS module, for hover and completion of option paths. A file a configuration
// imports as a module is one; a flake.nix or a helper a configuration only reads is not (only the inline
// modules in its `modules` lists are); a file no configuration reaches yet is taken for a module being written.
import * as path from 'node:path';
import type { ServerState } from '../server';

export function isModuleFile(state: ServerState, file: string): boolean {
  if (path.basename(file) === 'flake.nix') return false;
  let read = false;
  for (const unit of state.analysis.project.analysisUnits) {
    if (!unit.files.has(file)) continue;
    read = true;
    for (const c of unit.configurations)
      if (c.modules.some((m) => m.kind === 'file' && m.file === file)) return true;
  }
  return !read;
}
