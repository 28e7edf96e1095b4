package optics

import "math"

// minReflectance keeps K/S finite: a reflectance of 0 would mean infinite
// absorption. 1e-4 is far darker than any real pigment layer (the darkest
// carbon-black coatings reflect about 0.3%).
const minReflectance = 1e-4

// KS converts a reflectance to the Kubelka–Munk ratio K/S of an opaque layer
// (single-constant theory): K/S = (1 − R)² / 2R (Kubelka & Munk 1931;
// Allen, "Colorant formulation and shading", 1980).
func (r ReflectanceSpectrum) KS() KSSpectrum {
	var k KSSpectrum
	for i, v := range r {
		k[i] = ksOf(v)
	}
	return k
}

func ksOf(r float64) float64 {
	r = math.Max(minReflectance, math.Min(1, r))
	return (1 - r) * (1 - r) / (2 * r)
}

// reflectanceOf inverts K/S for an opaque layer: R∞ = 1 + K/S − √((K/S)² + 2K/S).
// Written as 1/(1 + K/S + √(…)) to stay accurate when K/S is large.
func reflectanceOf(ks float64) float64 {
	if ks <= 0 {
		return 1
	}
	return 1 / (1 + ks + math.Sqrt(ks*ks+2*ks))
}

// Reflectance is the reflectance of an opaque layer with this K/S.
func (k KSSpectrum) Reflectance() ReflectanceSpectrum {
	var r ReflectanceSpectrum
	for i, v := range k {
		r[i] = reflectanceOf(v)
	}
	return r
}

// Component is one colorant in a mixture: its K/S at full strength and its
// concentration, the fraction of the mixture it makes up (0..1).
type Component struct {
	KS            KSSpectrum
	Concentration float64
}

// Mix is the K/S of a mixture in single-constant Kubelka–Munk theory: the
// concentration-weighted sum of the components' K/S. Concentrations need not
// sum to 1: whatever is missing is a diluent, which neither absorbs nor
// scatters, so diluting lowers every concentration and lightens the mix.
// Mixing is subtractive: unlike an average of RGB values, a little of a dark
// pigment darkens a light one a lot, and complementary pigments together
// absorb across the spectrum and darken.
func Mix(components ...Component) KSSpectrum {
	var k KSSpectrum
	for _, c := range components {
		for i := range k {
			k[i] += c.Concentration * c.KS[i]
		}
	}
	return k
}

// Add returns k + c·other, the K/S of k with other mixed in at concentration c.
func (k KSSpectrum) Add(other KSSpectrum, c float64) KSSpectrum {
	for i := range k {
		k[i] += c * other[i]
	}
	return k
}
