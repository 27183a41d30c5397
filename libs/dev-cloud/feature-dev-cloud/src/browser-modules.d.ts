// Module shapes of what tools/build-app.mjs turns into text: `browser-bundle:<path>` is the file at <path>
// bundled for the browser (an iife script), `.html` and `.css` files are their text.
declare module 'browser-bundle:*' {
  const script: string;
  export default script;
}
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
