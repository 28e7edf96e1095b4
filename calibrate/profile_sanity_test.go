package calibrate

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/synth"
)

func profileWith(m ccm.Model) *Profile {
	p := testProfile()
	p.Model = m
	return p
}

func matrix(c ...float64) ccm.Model { return ccm.Model{Kind: ccm.Matrix3x3, Coef: c} }

// A profile whose model is not a colour correction is refused on load:
// before, a singular matrix or one mapping everything to black was
// accepted and measured L*a*b* [0,0,0] with ok: true.
func TestBadProfilesWhoseModelIsNotACorrection(t *testing.T) {
	srgb := testProfile().Model.Coef
	cases := []struct {
		name string
		m    ccm.Model
		want string
	}{
		{"everything to black", matrix(0, 0, 0, 0, 0, 0, 0, 0, 0), "white must be lighter than black"},
		{"nearly black (1e-6 gain)", matrix(scaled(srgb, 1e-6)...), "white must be lighter than black"},
		{"inverted (white darker than black)", matrix(scaled(srgb, -1)...), "not a usable correction"},
		{"singular: Z is X", matrix(srgb[0], srgb[1], srgb[2], srgb[3], srgb[4], srgb[5], srgb[0], srgb[1], srgb[2]), "singular"},
		{"singular: every channel the same", matrix(0.3, 0.3, 0.3, 0.33, 0.33, 0.33, 0.27, 0.27, 0.27), "singular"},
		{"grey to saturated red", matrix(0.9, 0.05, 0.02, 0.3, 0.4, 0.0, 0.0, 0.0, 0.05), "far from white"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := profileWith(tc.m).Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want an error containing %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func scaled(c []float64, k float64) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = k * v
	}
	return out
}

// Every model smpmatch fits to a real-looking card passes the sanity
// check, whatever the light: tungsten without white balance, daylight
// without, under- and over-exposure (clipped patches included, as a real
// fit would see them before flagging).
func TestRobustFittedProfilesPassTheSanityCheck(t *testing.T) {
	cams := []synth.Camera{
		{CCT: 5500, WhiteBalance: 0.9, Exposure: 0.85},
		{CCT: 2700, WhiteBalance: 0, Exposure: 0.9},
		{CCT: 3400, WhiteBalance: 0.6, Exposure: 0.85},
		{CCT: 6500, WhiteBalance: 0, Exposure: 0.9},
		{CCT: 2700, WhiteBalance: 0, Exposure: 0.1},
		{CCT: 5000, WhiteBalance: 1, Exposure: 0.3},
	}
	for _, cam := range cams {
		var s []ccm.Sample
		for _, ref := range card.Reference {
			rgb := cam.Linear(ref.Lab, 1)
			for k := range rgb {
				rgb[k] = math.Min(1, rgb[k])
			}
			s = append(s, ccm.Sample{RGB: rgb, Ref: ref.Lab})
		}
		for _, k := range ccm.Kinds {
			t.Run(fmt.Sprintf("%gK wb %g exposure %g %s", cam.CCT, cam.WhiteBalance, cam.Exposure, k), func(t *testing.T) {
				m, err := ccm.Fit(k, s)
				if err != nil {
					t.Fatal(err)
				}
				p := testProfile()
				p.Encoding = ccm.EncodingLinear
				p.Model = m
				if err := p.Validate(); err != nil {
					t.Fatalf("a fitted profile is refused: %v", err)
				}
			})
		}
	}
}
