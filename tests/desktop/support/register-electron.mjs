// `node --import …/register-electron.mjs out/main/index.js`: runs the built main process under plain Node
// with the stand-in `electron` module (the real node_modules/electron is never touched).
import { register } from 'node:module';

register('./electron-hooks.mjs', import.meta.url);
