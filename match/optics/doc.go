// Package optics predicts how pigments look: mixed in the cup and healed in a
// client's skin. It is the physics stage of the match pipeline, between the
// measured colours (calibrate) and the recipe search (match/recipe).
//
// Everything is spectral. Colours become ReflectanceSpectrum values on a
// 380–730 nm grid (measured, resampled with Resample, or recovered from an
// L*a*b* with Recover, a smooth Jakob–Hanika sigmoid-polynomial spectrum);
// spectra become colours by integrating with the CIE 1931 2° observer under
// D50 (LabD50) or under illuminant A (LabUnderA, for metamerism).
//
// Mixing is subtractive, by single-constant Kubelka–Munk theory: each
// pigment's reflectance becomes its K/S (absorption over scattering), a
// mixture's K/S is the concentration-weighted sum (Mix), and the mixture's
// reflectance is the inverse. Diluent is pigment-free: it only lowers the
// concentrations.
//
// A healed dot is the pigment inside the client's dermis seen through the
// epidermis (HealedModel, Skin). The model's parameters are named, shipped as
// data (healed_model.json, with the source of each value; most are estimates)
// and refitted from a practitioner's own healed dots by Recalibrate.
package optics
