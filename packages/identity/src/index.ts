export {
  IDENTITY_HEADERS,
  signInternalRequest,
  verifyInternalRequest,
  type Identity,
  type Role,
  type VerifyResult,
} from './internal-signature.ts';
export { postSignedGraphQL, type GraphQLResult, type SignedGraphQLRequest } from './signed-graphql.ts';
