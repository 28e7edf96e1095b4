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
// Skin is two layers fitted to each client (HealedModel.FitSkin, SkinOf): an
// epidermis absorbing by its melanin (Jacques 2013: μa = 6.6·10¹¹·λ^−3.33
// cm⁻¹ per melanosome volume fraction) over a dermis absorbing by its blood
// (Prahl's oxy/deoxy-haemoglobin tables) and scattering as skin does
// (μs′ = 46·(λ/500)^−1.421 cm⁻¹), fitted to the measured scalp colour; see
// chromophores.go for the published figures and their sources.
//
// A healed dot is the pigment inside the client's dermis seen through the
// client's own epidermis (HealedModel, Skin): lighter and bluer than the ink
// on light skin, darker, warmer and with less contrast on dark skin. The
// model's parameters are named, shipped as data (healed_model.json, with the
// source of each value; the pigment strength and the haze are estimates) and
// refitted from a practitioner's own healed results by Fit, which estimates
// the error on a new client by leaving one client out and refuses to fit
// more parameters than the observations support (SupportedParams).
package optics
