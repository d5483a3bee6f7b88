// V8's code cache for nixkit's own bundles, kept between runs (what Node 22 offers as module.enableCompileCache;
// nixkit supports Node 20). Compiling cli-check.js (1 MB) on every `nixkit check` costs 20-40 ms of CPU, a tenth
// of checking a 300-file repository; with the cache V8 reuses the bytecode of the functions the last run
// compiled. Only the bundles named by the caller are cached (in dist/; the compiled sources in out/ never are),
// only nixkit's own code is stored, never anything about the checked files.
//
// Where: $NIXKIT_CODE_CACHE (a folder, or `off`), else $XDG_CACHE_HOME/nixkit/code-cache, else
// ~/.cache/nixkit/code-cache. A file per bundle version (size, mtime) and Node version. Every failure (no home,
// a read-only disk, a cache V8 rejects: another Node or other V8 flags) falls back to compiling as usual; a
// rejected, missing or much smaller cache is written again when the command ends.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

interface CompilingModule {
  _compile(content: string, filename: string): unknown;
  exports: unknown;
}

/** Runs `load` (a require of one of `bundles`, file names beside this one) with the code cache in place. */
export function requireWithCodeCache<T>(bundles: string[], load: () => T, env = process.env): T {
  const dir = cacheDir(env);
  if (!dir) return load();
  const proto = (Module as unknown as { prototype: CompilingModule }).prototype;
  const original = proto._compile;
  const wanted = new Set(bundles.map((b) => path.join(__dirname, b)));
  proto._compile = function (this: CompilingModule, content: string, filename: string) {
    if (!wanted.has(filename)) return original.call(this, content, filename);
    return compileCached(this, content, filename, dir, original);
  };
  try {
    return load();
  } finally {
    proto._compile = original;
  }
}

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const setting = env.NIXKIT_CODE_CACHE;
  if (setting === 'off' || setting === '0') return undefined;
  if (setting) return setting;
  const base = env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
  return base ? path.join(base, 'nixkit', 'code-cache') : undefined;
}

function compileCached(
  mod: CompilingModule,
  content: string,
  filename: string,
  dir: string,
  original: CompilingModule['_compile'],
): unknown {
  let cacheFile: string;
  let cachedData: Buffer | undefined;
  try {
    const st = fs.statSync(filename);
    const version = `${st.size}-${Math.round(st.mtimeMs)}-${process.version}-${process.arch}`;
    cacheFile = path.join(dir, `${path.basename(filename, '.js')}-${version}.bin`);
    cachedData = readIfPresent(cacheFile);
  } catch {
    return original.call(mod, content, filename);
  }
  let script: vm.Script;
  try {
    script = new vm.Script(Module.wrap(content), { filename, cachedData });
  } catch {
    return original.call(mod, content, filename);
  }
  // Written at exit, so the cache holds the functions this run compiled, not only the top level; again when a
  // run compiled clearly more than the cache holds (the first run may have checked one small file).
  const had = script.cachedDataRejected ? 0 : (cachedData?.length ?? 0);
  process.once('exit', () => writeCache(dir, cacheFile, script, had));
  const wrapper = script.runInThisContext({ displayErrors: true }) as (
    exports: unknown,
    require: (id: string) => unknown,
    module: CompilingModule,
    filename: string,
    dirname: string,
  ) => unknown;
  const require = Module.createRequire(filename);
  return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(dir: string, file: string, script: vm.Script, had: number): void {
  try {
    const data = script.createCachedData();
    if (had && data.length < had * 1.1) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Other versions of the same bundle are stale: at most one file per bundle stays.
    const prefix = path.basename(file).replace(/-\d+-\d+-v[^-]+-[^-]+\.bin$/, '-');
    for (const old of fs.readdirSync(dir))
      if (old.startsWith(prefix) && old !== path.basename(file))
        fs.rmSync(path.join(dir, old), { force: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A cache is an optimisation: a read-only or full disk only costs the next run its compile time.
  }
}
