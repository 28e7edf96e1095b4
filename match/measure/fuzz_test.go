package measure

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/scene"
	"gocv.io/x/gocv"
)

// damageBase is a rendered scalp photo with a card in the frame, as a
// JPEG (libjpeg, quality 92), its scan data's offsets and its intact
// measurement.
type damageBase struct {
	jpeg       []byte
	start, end int // entropy-coded data of the (single, baseline) scan
	res        Result
}

var (
	damageOnce sync.Once
	damage     damageBase
	damageErr  error
)

func damagedBase() (damageBase, error) {
	damageOnce.Do(func() {
		img, _, _ := scene.RenderWithCard(scene.Scene{W: 480, H: 360, Skin: colour.LabD50{L: 60, A: 12, B: 18},
			Hair: colour.LabD50{L: 22, A: 2, B: 4}, Noise: 0.01, Seed: 11}, scene.CardPlacement{})
		m, err := gocv.ImageToMatRGB(img)
		if err != nil {
			damageErr = err
			return
		}
		defer m.Close()
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, 92})
		if err != nil {
			damageErr = err
			return
		}
		damage.jpeg = append([]byte(nil), buf.GetBytes()...)
		buf.Close()
		s := bytes.Index(damage.jpeg, []byte{0xFF, 0xDA})
		damage.start = s + 2 + (int(damage.jpeg[s+2])<<8 | int(damage.jpeg[s+3]))
		damage.end = bytes.LastIndex(damage.jpeg, []byte{0xFF, 0xD9})
		damage.res, damageErr = measureBytes(damage.jpeg)
	})
	return damage, damageErr
}

// measureBytes is the whole measure path from a file's bytes: the checks
// and decode of calibrate/photo, then the card, the correction and the
// segmentation.
func measureBytes(data []byte) (Result, error) {
	m, _, err := photo.Decode(data, photo.Options{})
	if err != nil {
		return Result{}, err
	}
	defer m.Close()
	r, _, err := Photo("fuzz.jpg", m, Options{})
	return r, err
}

// Damaged scan data (bit flips, a cut with the end-of-image marker added
// back) of a real photo with a card is either refused as damaged or
// measured within 0.5 ΔE00 of the intact photo, for hair and scalp: never
// measured wrong as if it were fine.
func FuzzMeasureDamagedJPEG(f *testing.F) {
	f.Add(uint32(100), uint8(0x01), uint32(0), uint8(0), false)
	f.Add(uint32(5000), uint8(0x80), uint32(9000), uint8(0x10), false)
	f.Add(uint32(12000), uint8(0), uint32(0), uint8(0), true)
	f.Add(uint32(1), uint8(0xFF), uint32(2), uint8(0xFF), false)
	f.Fuzz(func(t *testing.T, pos1 uint32, mask1 uint8, pos2 uint32, mask2 uint8, cut bool) {
		base, err := damagedBase()
		if err != nil {
			t.Fatalf("the intact photo: %v", err)
		}
		n := uint32(base.end - base.start)
		data := append([]byte(nil), base.jpeg...)
		data[base.start+int(pos1%n)] ^= mask1
		data[base.start+int(pos2%n)] ^= mask2
		if cut {
			data = append(data[:base.start+int(pos1%n)], 0xFF, 0xD9)
		}
		if bytes.Equal(data, base.jpeg) {
			return
		}
		res, err := measureBytes(data)
		if err != nil {
			if errors.Is(err, photo.ErrDamaged) {
				return
			}
			t.Fatalf("damage at +%d/+%d (cut %v) is refused, but not as damaged: %v", pos1%n, pos2%n, cut, err)
		}
		hair := colour.DeltaE00(res.Hair.Lab, base.res.Hair.Lab)
		scalp := colour.DeltaE00(res.Scalp.Lab, base.res.Scalp.Lab)
		if hair > 0.5 || scalp > 0.5 || res.LowConfidence != base.res.LowConfidence {
			t.Fatalf("damage at +%d (^%02x) / +%d (^%02x) (cut %v) was measured as if fine: hair %s (%.2f ΔE00 off), scalp %s (%.2f ΔE00 off)",
				pos1%n, mask1, pos2%n, mask2, cut, lab(res.Hair.Lab), hair, lab(res.Scalp.Lab), scalp)
		}
	})
}

func lab(c colour.LabD50) string { return fmt.Sprintf("[%.1f %.1f %.1f]", c.L, c.A, c.B) }
