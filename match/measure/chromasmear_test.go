package measure

import (
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/photo"
)

func TestChromaSmearComesFromTheFormatAndTheCard(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	jpeg420 := photo.Info{Format: "jpeg", ChromaSubsampling: [2]int{2, 2}}
	cases := []struct {
		name         string
		src          photo.Info
		lens, colour *float64
		want         float64
		known        bool
	}{
		{"nothing known: nothing assumed", photo.Info{}, nil, nil, 0, false},
		{"a 4:2:0 JPEG without a card", jpeg420, nil, nil, 2 * codecChromaPx, true},
		{"a 4:4:4 JPEG without a card", photo.Info{Format: "jpeg", ChromaSubsampling: [2]int{1, 1}}, nil, nil, 0, true},
		{"a PNG", photo.Info{Format: "png"}, nil, nil, 0, true},
		{"a HEIC photo (4:2:0)", photo.Info{Format: "heif"}, nil, nil, 2 * codecChromaPx, true},
		{"a PNG whose card shows colour smoothing", photo.Info{Format: "png"}, f(0.8), f(1.7), math.Sqrt(1.7*1.7 - 0.8*0.8), true},
		{"a 4:2:0 JPEG whose card shows more smear than the codec's", jpeg420, f(0.6), f(4), math.Sqrt(16 - 0.36), true},
		{"a 4:2:0 JPEG whose card shows less: the codec's", jpeg420, f(0.6), f(1.4), 2 * codecChromaPx, true},
		{"no format but a card", photo.Info{}, f(0.6), f(1.0), 0.8, true},
		{"colour sharper than the lens: no smear", photo.Info{}, f(1.0), f(0.9), 0, true},
	}
	for _, c := range cases {
		got, known := ChromaSmear(c.src, c.lens, c.colour)
		if known != c.known || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.3f (known %v), want %.3f (known %v)", c.name, got, known, c.want, c.known)
		}
	}
}
