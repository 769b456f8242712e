/** Types of scripts/build-cli.mjs (plain JavaScript so it runs without a TypeScript loader). */
export declare const ROOT: string;
export declare const CLI_DIR: string;
/** dist/cli/awe.js */
export declare const CLI_ENTRY: string;
export declare const CLI_INPUTS: string;
export declare function cliIsCurrent(): boolean;
export declare function buildCli(options?: { quiet?: boolean }): Promise<void>;
