/** The product's version, from package.json (bundled in by esbuild). */
import packageJson from "../../package.json";

export const version: string = packageJson.version;
