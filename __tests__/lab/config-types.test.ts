import type { Static, TSchema } from '@sinclair/typebox';
import * as path from 'node:path';
import type * as generated from '../../lab/config-types';
import type {
  DeepReadonly, LabDirectorSchema, LabHealthCheckSchema, LabImageSchema, LabMiscCheckSchema, LabNetworkSchema, LabNotificationSchema,
  LabPackagesSchema, LabQuorumSchema, LabRealServerSchema, LabSchema, LabServiceSchema, LabSizesSchema, LabSshSchema, LabTrackScriptSchema,
  LabVmSizeSchema, LabVrrpSchema,
} from '../../lab/schema';
import { program, ROOT, typeErrors } from '../helpers/typescript';

/*
 * lab/config-types.ts is generated from the schema for its JSDoc (descriptions, defaults); the
 * schema stays the source of the types: each interface must be exactly the schema's own type.
 * This file does not compile when the two part (`npm run build`, and the first test below:
 * ts-jest only transpiles).
 */
type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Deep: the same keys, the same optionality and readonly-ness, the same types of values. */
type Same<A, B> = Exactly<Expand<A>, Expand<B>>;
type Expand<T> = T extends readonly (infer U)[] ? readonly Expand<U>[] : T extends object ? { [K in keyof T]: Expand<T[K]> } : T;
type Of<S extends TSchema> = DeepReadonly<Static<S>>;

/** Compiles only when A and B are the same type: `proof` is `true` then, `false` otherwise. */
const same = <A, B>(proof: Same<A, B>): boolean => proof;

const typeEqual = {
  LabConfig: same<generated.LabConfig, Of<typeof LabSchema>>(true),
  LabNetworkConfig: same<generated.LabNetworkConfig, Of<typeof LabNetworkSchema>>(true),
  LabImageConfig: same<generated.LabImageConfig, Of<typeof LabImageSchema>>(true),
  LabPackagesConfig: same<generated.LabPackagesConfig, Of<typeof LabPackagesSchema>>(true),
  LabSshConfig: same<generated.LabSshConfig, Of<typeof LabSshSchema>>(true),
  LabVrrpConfig: same<generated.LabVrrpConfig, Of<typeof LabVrrpSchema>>(true),
  LabTrackScriptConfig: same<generated.LabTrackScriptConfig, Of<typeof LabTrackScriptSchema>>(true),
  LabDirectorConfig: same<generated.LabDirectorConfig, Of<typeof LabDirectorSchema>>(true),
  LabServiceConfig: same<generated.LabServiceConfig, Of<typeof LabServiceSchema>>(true),
  LabHealthCheckConfig: same<generated.LabHealthCheckConfig, Of<typeof LabHealthCheckSchema>>(true),
  LabMiscCheckConfig: same<generated.LabMiscCheckConfig, Of<typeof LabMiscCheckSchema>>(true),
  LabQuorumConfig: same<generated.LabQuorumConfig, Of<typeof LabQuorumSchema>>(true),
  LabRealServerConfig: same<generated.LabRealServerConfig, Of<typeof LabRealServerSchema>>(true),
  LabSizesConfig: same<generated.LabSizesConfig, Of<typeof LabSizesSchema>>(true),
  LabVmSize: same<generated.LabVmSize, Of<typeof LabVmSizeSchema>>(true),
  LabNotificationConfig: same<generated.LabNotificationConfig, Of<typeof LabNotificationSchema>>(true),
};

describe('the generated config interfaces (lab/config-types.ts)', () => {
  test('each is the type of its schema (this file type-checks)', () => {
    expect(typeErrors(program([path.relative(ROOT, __filename)]), path.relative(ROOT, __filename))).toEqual([]);
    expect(Object.values(typeEqual).every(Boolean)).toBe(true);
    expect(Object.keys(typeEqual)).toHaveLength(16);
  });
});
