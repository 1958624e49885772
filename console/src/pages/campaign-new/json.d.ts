/** The examples (examples/*.json) are bundled by esbuild as JSON; their shape is checked where used. */
declare module '*.json' {
  const value: unknown;
  export default value;
}
