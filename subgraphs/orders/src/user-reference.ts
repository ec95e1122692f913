/** Users and products are other subgraphs' entities: orders knows them by id alone. */
export interface UserReference {
  id: string;
}

export interface ProductReference {
  id: string;
}
