package optics

import (
	"fmt"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/mat"
)

// SkinLayers are the physical parameters of a client's two-layer skin, found
// by FitSkin from the measured scalp colour: an epidermis whose absorption is
// its melanin, over a semi-infinite dermis whose absorption is its blood.
type SkinLayers struct {
	// MelaninFraction is the melanosome volume fraction of the epidermis
	// (0.01–0.03 light skin, up to 0.43 dark skin; Jacques 2013).
	MelaninFraction float64 `json:"melanin_fraction"`
	// BloodFraction is the blood volume fraction of the dermis (~0.002–0.05).
	BloodFraction float64 `json:"blood_fraction"`
	// ScatteringScale is the dermis' reduced scattering relative to Jacques'
	// average for skin (46 cm⁻¹ at 500 nm): collagen density varies between
	// people and sites.
	ScatteringScale float64 `json:"scattering_scale"`
	// FitDE00 is how far the layers' colour is from the measured scalp.
	FitDE00 float64 `json:"fit_de00"`
}

// Bounds of the physical parameters FitSkin may choose.
var skinBounds = [3][2]float64{
	{0.0005, 0.6}, // melanin fraction
	{0.001, 0.2},  // blood fraction
	{0.02, 4},     // scattering scale
}

// layerOptics holds what a model fixes, per wavelength, before any skin is
// fitted: the melanin and scattering spectra at the model's exponents.
type layerOptics struct {
	m        HealedModel
	melanin  [GridLen]float64 // μa of melanosomes, cm⁻¹
	blood    [GridLen]float64 // μa of whole blood at the model's saturation
	scatterE [GridLen]float64 // epidermal KM scattering power S·d
	scatterD [GridLen]float64 // dermal μs′ at scale 1, cm⁻¹
	thickCM  float64
}

func newLayerOptics(m HealedModel) *layerOptics {
	o := &layerOptics{m: m, thickCM: m.EpidermisThicknessUM * 1e-4}
	for i := 0; i < GridLen; i++ {
		nm := Wavelength(i)
		rel := math.Pow(nm/500, -m.ScatteringExponent)
		o.melanin[i] = MelaninAbsorption(nm, m.MelaninExponent)
		o.blood[i] = BloodAbsorption(i, m.BloodOxygenSaturation)
		o.scatterE[i] = m.EpidermisScattering500 * rel
		o.scatterD[i] = dermisScattering500 * rel
	}
	return o
}

// epidermis returns the epidermis' diffuse reflectance and transmittance at
// grid sample i for a melanin fraction, by Kubelka's formulas for a layer of
// absorption K·d and scattering S·d (Kubelka 1948, JOSA 38:448):
// R = sinh(bSd)/(a·sinh(bSd) + b·cosh(bSd)), T = b/(a·sinh(bSd) + b·cosh(bSd)),
// a = 1 + K/S, b = √(a² − 1). K = 2μa for diffuse light.
func (o *layerOptics) epidermis(i int, melanin float64) (re, te float64) {
	mua := melanin*o.melanin[i] + (1-melanin)*muaBaseline[i]
	kd := 2 * mua * o.thickCM
	sd := o.scatterE[i]
	if sd <= 1e-9 {
		return 0, math.Exp(-kd)
	}
	a := 1 + kd/sd
	b := math.Sqrt(a*a - 1)
	x := b * sd
	sh, ch := math.Sinh(x), math.Cosh(x)
	den := a*sh + b*ch
	return sh / den, b / den
}

// dermisKS is the K/S of the bare dermis at grid sample i: the K/S of the
// diffuse reflectance a semi-infinite scattering medium has by diffusion
// theory, Rd ≈ exp(−A·μa·δ) with the optical penetration depth
// δ = 1/√(3μa(μa + μs′)) (Jacques & Pogue 2008, "Tutorial on diffuse light
// transport", J. Biomed. Opt. 13:041302; A ≈ 7 for an index-matched
// surface, the value usually quoted from Monte Carlo fits, not re-derived
// here). Kubelka–Munk with K = 2μa and S = ¾μs′ instead overstates the
// reflectance of absorbing dermis (0.43 against 0.25 at 550 nm for 2% blood)
// and made every fitted skin too light and too saturated.
func (o *layerOptics) dermisKS(i int, blood, scale float64) float64 {
	mua := blood*o.blood[i] + (1-blood)*muaBaseline[i]
	musp := scale * o.scatterD[i]
	return ksOf(math.Exp(-diffusionA * math.Sqrt(mua/(3*(mua+musp)))))
}

// spectrum is the skin reflectance of the layers p = (melanin, blood, scale).
func (o *layerOptics) spectrum(p [3]float64) ReflectanceSpectrum {
	var r ReflectanceSpectrum
	for i := range r {
		re, te := o.epidermis(i, p[0])
		rd := reflectanceOf(o.dermisKS(i, p[1], p[2]))
		r[i] = surfaceReflectance + (1-surfaceReflectance)*(re+te*te*rd/(1-re*rd))
	}
	return r
}

// diffusionA is the A of Rd ≈ exp(−A·μa·δ) (see dermisKS).
const diffusionA = 7.0

// surfaceReflectance is the Fresnel reflection of the skin's surface,
// ((n − 1)/(n + 1))² ≈ 0.03 for the stratum corneum's refractive index
// n ≈ 1.42 (Lister et al. 2012, J. Biomed. Opt. 17:090901, review of skin
// refractive indices). It is neutral, the same over skin, hair and dots, and
// the floor no healed dot can go below.
const surfaceReflectance = 0.03

// correct returns spec times the smooth factor exp(c₀ + c₁t + c₂t²)
// (t spanning the grid −1..1) that gives it exactly the colour target, found
// by Levenberg–Marquardt from no correction: the physical skin's spectrum,
// nudged to the measured colour with the least change of shape. ok is false
// if no such factor reaches the colour within skinFitGoal or the result is
// not a reflectance.
func correct(spec ReflectanceSpectrum, target colour.LabD50) (ReflectanceSpectrum, bool) {
	apply := func(c [3]float64) ReflectanceSpectrum {
		var r ReflectanceSpectrum
		for i := range r {
			t := (Wavelength(i) - sigmoidCentreNM) / sigmoidHalfNM
			r[i] = spec[i] * math.Exp(c[0]+c[1]*t+c[2]*t*t)
		}
		return r
	}
	resid := func(c [3]float64) [3]float64 {
		l := apply(c).LabD50()
		return [3]float64{l.L - target.L, l.A - target.A, l.B - target.B}
	}
	c, cost := lm3([3]float64{}, resid)
	r := apply(c)
	return r, math.Sqrt(cost) < 1e-3 && r.Validate() == nil
}

// FitSkin finds the physical two-layer skin whose colour under D50 is the
// measured scalp colour: the epidermal melanin, the dermal blood and the
// dermal scattering, by Levenberg–Marquardt on the L*a*b* residual from a
// few starting skins (light to dark), each parameter kept inside its
// physical range. It returns the layers and their reflectance spectrum.
func (m HealedModel) FitSkin(scalp colour.LabD50) (SkinLayers, ReflectanceSpectrum, error) {
	if err := m.Validate(); err != nil {
		return SkinLayers{}, ReflectanceSpectrum{}, err
	}
	if !scalp.IsFinite() {
		return SkinLayers{}, ReflectanceSpectrum{}, fmt.Errorf("fit skin: scalp %v is not finite", scalp)
	}
	o := newLayerOptics(m)
	return o.fit(scalp)
}

// toParams maps unbounded x to the physical ranges (a logistic in log space).
func toParams(x [3]float64) [3]float64 {
	var p [3]float64
	for k := range p {
		lo, hi := math.Log(skinBounds[k][0]), math.Log(skinBounds[k][1])
		p[k] = math.Exp(lo + (hi-lo)/(1+math.Exp(-x[k])))
	}
	return p
}

func fromParams(p [3]float64) [3]float64 {
	var x [3]float64
	for k := range x {
		lo, hi := math.Log(skinBounds[k][0]), math.Log(skinBounds[k][1])
		f := (math.Log(p[k]) - lo) / (hi - lo)
		f = math.Min(math.Max(f, 1e-6), 1-1e-6)
		x[k] = math.Log(f / (1 - f))
	}
	return x
}

// skinStarts are the starting skins of FitSkin: light, medium, dark.
var skinStarts = [][3]float64{{0.02, 0.02, 1}, {0.08, 0.02, 1}, {0.25, 0.02, 1}}

const (
	skinFitGoal    = 1e-4 // ΔE76; far below anything visible
	skinFitMaxIter = 60
)

func (o *layerOptics) fit(target colour.LabD50) (SkinLayers, ReflectanceSpectrum, error) {
	return o.fitFrom(target, nil)
}

// fitFrom is fit trying the layers warm first (a previous answer for the
// same scalp under a slightly different model).
func (o *layerOptics) fitFrom(target colour.LabD50, warm *SkinLayers) (SkinLayers, ReflectanceSpectrum, error) {
	resid := func(x [3]float64) [3]float64 {
		l := o.spectrum(toParams(x)).LabD50()
		return [3]float64{l.L - target.L, l.A - target.A, l.B - target.B}
	}
	best := [3]float64{}
	bestCost := math.Inf(1)
	starts := skinStarts
	if warm != nil {
		starts = append([][3]float64{{warm.MelaninFraction, warm.BloodFraction, warm.ScatteringScale}}, starts...)
	}
	for _, s := range starts {
		x, c := lm3(fromParams(s), resid)
		if c < bestCost {
			best, bestCost = x, c
		}
		if math.Sqrt(bestCost) < skinFitGoal {
			break
		}
	}
	p := toParams(best)
	spec := o.spectrum(p)
	layers := SkinLayers{MelaninFraction: p[0], BloodFraction: p[1], ScatteringScale: p[2], FitDE00: colour.DeltaE00(spec.LabD50(), target)}
	return layers, spec, nil
}

// lm3 minimises |resid(x)|² over three unbounded parameters by
// Levenberg–Marquardt with a forward-difference Jacobian.
func lm3(x [3]float64, resid func([3]float64) [3]float64) ([3]float64, float64) {
	r := resid(x)
	cost := norm2(r)
	lambda := 1e-2
	jac := mat.NewDense(3, 3, nil)
	a := mat.NewDense(3, 3, nil)
	damped := mat.NewDense(3, 3, nil)
	g := mat.NewVecDense(3, nil)
	var step mat.VecDense
	const h = 1e-6
	for iter := 0; iter < skinFitMaxIter && math.Sqrt(cost) > skinFitGoal; iter++ {
		for k := 0; k < 3; k++ {
			xp := x
			xp[k] += h
			rp := resid(xp)
			for i := 0; i < 3; i++ {
				jac.Set(i, k, (rp[i]-r[i])/h)
			}
		}
		a.Mul(jac.T(), jac)
		g.MulVec(jac.T(), mat.NewVecDense(3, r[:]))
		improved := false
		for tries := 0; tries < 12; tries++ {
			damped.Copy(a)
			for i := 0; i < 3; i++ {
				damped.Set(i, i, a.At(i, i)*(1+lambda)+1e-9)
			}
			if err := step.SolveVec(damped, g); err != nil {
				lambda *= 10
				continue
			}
			var xn [3]float64
			for k := range xn {
				xn[k] = x[k] - step.AtVec(k)
			}
			rn := resid(xn)
			if cn := norm2(rn); cn < cost {
				x, r, cost = xn, rn, cn
				lambda = math.Max(lambda/10, 1e-9)
				improved = true
				break
			}
			lambda *= 10
		}
		if !improved {
			break
		}
	}
	return x, cost
}
