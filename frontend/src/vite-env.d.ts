/// <reference types="vite/client" />
// Python sources imported as text (src/kernel/bridge.py).
declare module "*.py?raw" {
  const source: string;
  export default source;
}
