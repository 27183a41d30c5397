// The console's page, style sheet and script as strings, built into the bundle by tools/build-app.mjs
// (the browser-bundle plugin and the text loader). Loaded only through console-handler's dynamic import:
// under tsx (unit tests) these imports cannot be resolved, and nothing else needs them.
import script from 'browser-bundle:./console/main.ts';
import page from './console/index.html';
import style from './console/console.css';

export const consoleAssets = { page, style, script };
