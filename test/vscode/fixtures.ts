/**
 * The mistake every editor test makes in the tiny_cnn example (shared by the extension-host
 * suite, the UI test and the Neovim test, so that they all look at the same error).
 */
const claim = "invariant logits under shift\n";

/** The text of tiny_cnn.sym with the symmetry of its first claim misspelled (`shfit`): one error. */
export function withMisspelledSymmetry(tinyCnnSpec: string): string {
  if (!tinyCnnSpec.includes(claim)) throw new Error(`tiny_cnn.sym should claim \`${claim.trim()}\``);
  return tinyCnnSpec.replace(claim, "invariant logits under shfit\n");
}
