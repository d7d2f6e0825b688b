interface ImportMetaEnv {
  /** The API's origin when the site is hosted elsewhere; unset means the page's own origin. */
  readonly PUBLIC_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
