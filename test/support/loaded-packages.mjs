// Preload (`node --import`) that records each npm package the process resolves, one name per line
// in the file named by LOADED_PACKAGES_FILE: which SDKs a process really loads, not what we think.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.LOADED_PACKAGES_FILE;
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(r.url);
    if (out && m && !seen.has(m[1])) {
      seen.add(m[1]);
      appendFileSync(out, `${m[1]}\n`);
    }
    return r;
  },
});
