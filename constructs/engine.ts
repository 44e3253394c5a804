/**
 * The CDK-for-Terraform engine. Every engine import of the project (constructs, app, tests,
 * bench) goes through this module, so the engine is chosen in one place.
 *
 * The default engine is cdktf 0.21 (HashiCorp's last release). The same code synthesizes the
 * same stacks under CDK Terrain (`cdktn` 0.24, the community fork with the same API): CI runs
 * scripts/engine-compare.sh, which loads this module (and the generated bindings, which
 * import `cdktf` themselves) with `cdktf` resolved to `cdktn`.
 */
export { Annotations, App, AssetType, DISABLE_STACK_TRACE_IN_METADATA, LocalBackend, TerraformAsset, TerraformOutput, TerraformStack, Testing } from 'cdktf';
