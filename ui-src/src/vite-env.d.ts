/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the NoETL API lives; `/api` (same origin) when unset. */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
