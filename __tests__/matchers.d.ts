/*
 * The cdktf jest matchers that __tests__/setup.js registers (Testing.setupJest), typed here
 * for the tests that use them (the engine's own declaration would need an engine import).
 */
declare namespace jest {
  interface Matchers<R> {
    toHaveResourceWithProperties(resourceType: { readonly tfResourceType: string }, properties?: Record<string, unknown>): R;
    toHaveResource(resourceType: { readonly tfResourceType: string }): R;
  }
}
