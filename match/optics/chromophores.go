package optics

import "math"

// Absorption and scattering of skin's constituents on the working grid, from
// published measurements (facts, cited where they are used):
//
//   - Melanin: the absorption coefficient of the interior of an epidermal
//     melanosome, μa = 6.6·10¹¹·λ^−3.33 cm⁻¹ (λ in nm), Jacques 2013,
//     "Optical properties of biological tissues: a review", Phys. Med. Biol.
//     58:R37, eq. 6 (the same curve as OMLC's older 1.70·10¹²·λ^−3.48 for
//     skin, Jacques 1998, omlc.org/spectra/melanin/mua.html: both give
//     ≈ 495 cm⁻¹ at 550 nm). It is multiplied by the melanosome volume
//     fraction of the epidermis: ~1–3% in light skin, up to 43% in dark
//     skin (Jacques 2013; DOMAIN.md).
//   - Haemoglobin: molar extinction coefficients of oxy- and deoxy-
//     haemoglobin compiled by S. Prahl from W. B. Gratzer and N. Kollias
//     (omlc.org/spectra/hemoglobin/summary.html), sampled at the grid's
//     wavelengths. Whole blood's absorption is μa = 2.303·e·150 g/L /
//     64 500 g/mol (Prahl's conversion, 150 g Hb per litre of blood).
//   - Bloodless tissue: μa = 0.244 + 85.3·exp(−(λ − 154)/66.2) cm⁻¹
//     (Jacques 2013, eq. 11, the baseline of skin without blood or
//     melanin).
//   - Scattering: the reduced scattering coefficient of dermis,
//     μs′ = 46·(λ/500 nm)^−1.421 cm⁻¹ (Jacques 2013, Table 2, the average
//     of skin studies); the λ^−1.4 slope is what makes deep pigment look
//     bluer (the Tyndall effect).

// Published constants.
const (
	// melaninCoeff and MelaninExponentJacques: μa,mel = 6.6e11·λ^−3.33 cm⁻¹.
	melaninCoeff = 6.6e11
	// MelaninExponentJacques is the published spectral slope of melanin
	// absorption (Jacques 2013).
	MelaninExponentJacques = 3.33
	// dermisScattering500 is μs′ of dermis at 500 nm, cm⁻¹, and
	// ScatteringExponentJacques its slope (Jacques 2013, Table 2: skin).
	dermisScattering500       = 46.0
	ScatteringExponentJacques = 1.421
	// haemoglobinPerLitre and haemoglobinMolarMass convert Prahl's molar
	// extinction to blood's μa (Prahl, omlc.org).
	haemoglobinPerLitre  = 150.0   // g/L of whole blood
	haemoglobinMolarMass = 64500.0 // g/mol
)

// prahlHb holds Prahl's tabulated molar extinction coefficients e
// [cm⁻¹/(mol/L)] of oxyhaemoglobin (HbO2) and deoxyhaemoglobin (Hb) at the
// grid's wavelengths, 380–730 nm every 10 nm (omlc.org/spectra/hemoglobin/
// summary.html, compiled from Gratzer and Kollias).
var prahlHb = [GridLen][2]float64{
	{109564, 145232}, {167748, 167780}, {266232, 223296}, {466840, 303956},
	{480360, 407560}, {246072, 528600}, {102580, 413280}, {62816, 103292},
	{44480, 23388.8}, {33209.2, 16156.4}, {26629.2, 14550}, {23684.4, 16684},
	{20932.8, 20862}, {20035.2, 25773.6}, {24202.4, 31589.6}, {39956.8, 39036.4},
	{53236, 46592}, {43016, 53412}, {32613.2, 53788}, {44496, 45072},
	{50104, 37020}, {14400.8, 28324.4}, {3200, 14677.2}, {1506, 9443.6},
	{942, 6509.6}, {610, 5148.8}, {442, 4345.2}, {368, 3750.12},
	{319.6, 3226.56}, {294, 2795.12}, {277.6, 2407.92}, {276, 2051.96},
	{290, 1794.28}, {314, 1540.48}, {348, 1325.88}, {390, 1102.2},
}

// Absorption spectra on the grid, cm⁻¹.
var (
	// muaBloodOxy and muaBloodDeoxy are whole blood's μa fully oxygenated
	// and fully deoxygenated.
	muaBloodOxy, muaBloodDeoxy [GridLen]float64
	// muaBaseline is bloodless, melanin-free tissue's μa.
	muaBaseline [GridLen]float64
)

func init() {
	k := math.Ln10 * haemoglobinPerLitre / haemoglobinMolarMass
	for i := 0; i < GridLen; i++ {
		muaBloodOxy[i] = k * prahlHb[i][0]
		muaBloodDeoxy[i] = k * prahlHb[i][1]
		nm := Wavelength(i)
		muaBaseline[i] = 0.244 + 85.3*math.Exp(-(nm-154)/66.2)
	}
}

// MelaninAbsorption is μa of the melanosome interior at wavelength nm
// (Jacques 2013), in cm⁻¹, with spectral slope exponent (3.33 published).
func MelaninAbsorption(nm, exponent float64) float64 {
	return melaninCoeff * math.Pow(nm, -exponent)
}

// BloodAbsorption is whole blood's μa at grid sample i, cm⁻¹, at oxygen
// saturation s (0..1).
func BloodAbsorption(i int, s float64) float64 {
	return s*muaBloodOxy[i] + (1-s)*muaBloodDeoxy[i]
}
