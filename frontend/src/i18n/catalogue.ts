/** A translation must have exactly the keys of the English catalogue, each a string. */
export type Catalogue<English> = { readonly [K in keyof English]: string };
