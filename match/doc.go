// Package match is the recommendation stage of smpmatch: from a client's hair
// and scalp colour (L*a*b* D50, from any source: calibrated photos, a
// spectrophotometer, or typed in) to the SMP ink blends that will heal closest
// to the target. It is "select and blend the ink".
//
// The stage is split by concern:
//
//   - match/optics is the physics: reflectance spectra (measured, or
//     recovered from L*a*b*), CIE colorimetry under D50 and illuminant A,
//     Kubelka–Munk pigment mixing, the client's own two-layer skin fitted to
//     the measured scalp colour (epidermal melanin, dermal blood), and the
//     healed-in-skin model (pigment in the client's dermis seen through their
//     epidermis) with its named, refittable parameters.
//   - match/recipe is the search: every whole-part recipe of a palette, its
//     predicted healed colour, ranked by CIEDE2000 to the target, with
//     warnings; recipe.Recommend is the entry point and recipe.Result its
//     JSON output contract; recipe.MixInBottles restates a recipe in neat
//     inks and water (parts, shade number, millilitres, drops).
//   - match/healed reads a practitioner's observations of healed work (CSV)
//     and refits the healed model to them, cross-validated by client.
//   - palettes (top level, since it is data shared with the CLI) holds the
//     pigment palettes.
//
// match/segment and match/scene, which find hair and scalp in photos, feed
// this stage; they are documented in their own packages.
package match
