package measure

import (
	"errors"
	"fmt"
	"image"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/segment"
	"gocv.io/x/gocv"
)

// Prepared is a photo made ready for measuring: colour-corrected and
// converted to L*a*b* D50 at the working resolution, with the regions the
// options and the card rule out. Photo measures hair and scalp on it;
// match/dots measures healed SMP dots on it.
type Prepared struct {
	// Lab is the corrected photo at the working resolution.
	Lab *segment.LabImage
	// Corrected is Lab rendered as sRGB, for people.
	Corrected *image.NRGBA
	// Scale is working pixels per photo pixel (≤ 1).
	Scale float64
	// Correction, Calibrated, Card and Calibration are as in Result.
	Correction  string
	Calibrated  bool
	Card        *calibrate.CardResult
	Calibration *calibrate.FitStats
	// CardCorners and CardPitchPx locate the card found in the photo, in
	// photo pixels (CardPitchPx is 0 when no card was found in it).
	CardCorners card.Corners
	CardPitchPx float64
	// BlurPx is the lens blur (Gaussian σ, photo pixels) measured on the
	// card's patch edges (card.EdgeBlur); nil without a card in the photo.
	BlurPx *float64
	// ChromaBlurPx is the colour blur (Gaussian σ, photo pixels, lens
	// included) measured on the card's patch edges (card.ChromaBlur); nil
	// without a card in the photo.
	ChromaBlurPx *float64
	// Exclude holds the card's outline grown by 1.5 patch pitches, in
	// working pixels: never skin.
	Exclude []segment.Polygon
	// ROI and Mask are Options.ROI and Options.ROIMask in working pixels
	// (empty and nil when not given).
	ROI  image.Rectangle
	Mask *image.Gray
	// Clipped marks (255) the working pixels at or near the encoding's
	// upper limit in any channel (nil when none): their colour is not the
	// surface's, and segment lowers the confidence by their share of the
	// scalp region (segment.Options.Clipped).
	Clipped *image.Gray
}

// Prepare corrects a decoded BGR photo as Options say (profile, else the
// card in the photo, else sRGB when Uncalibrated) and converts it to
// L*a*b* D50 at the working resolution. On error the returned Prepared
// still carries what was learnt about the calibration.
func Prepare(path string, img gocv.Mat, opt Options) (Prepared, error) {
	var p Prepared
	if img.Cols() < MinPhotoSide || img.Rows() < MinPhotoSide {
		return p, fmt.Errorf("the photo is %dx%d pixels: too small to show hair fibres (at least %d on each side)", img.Cols(), img.Rows(), MinPhotoSide)
	}
	if !opt.ROI.Empty() && opt.ROI.Intersect(image.Rect(0, 0, img.Cols(), img.Rows())).Empty() {
		r := opt.ROI
		return p, fmt.Errorf("the region of interest %d,%d,%d,%d (x,y,w,h) lies outside the photo, which is %dx%d pixels", r.Min.X, r.Min.Y, r.Dx(), r.Dy(), img.Cols(), img.Rows())
	}
	// The reduction to the working resolution needs only the photo: it
	// runs on a second core beside the card's detection and fit. Every
	// return waits for it (it reads img, which the caller may close) and
	// closes what it made unless the reduced photo was taken.
	type reduced struct {
		work  gocv.Mat
		scale float64
		err   error
	}
	works := make(chan reduced, 1)
	go func() {
		w, s, err := reduce(img, opt.WorkSide)
		works <- reduced{w, s, err}
	}()
	taken := false
	defer func() {
		if !taken {
			if r := <-works; r.err == nil {
				r.work.Close()
			}
		}
	}()
	var conv func(r, g, b uint8) colour.LabD50
	// blurs carries the card's blurs (lens, colour) from their goroutine;
	// every return waits for it, since it reads img, which the caller
	// may close.
	var blurs chan [2]*float64
	defer func() {
		if blurs != nil {
			for range blurs {
			}
		}
	}()
	switch {
	case opt.Profile != nil:
		p.Correction = "profile"
		p.Calibrated = true
		conv = opt.Profile.Lab8()
	default:
		r, err := calibrate.Read(path, img, opt.Read)
		if err == nil {
			// The lens and colour blur on the card's edges need only the
			// photo and the card: they are measured on a second core
			// beside the fit and the conversion below.
			blurs = make(chan [2]*float64, 1)
			go func(d card.Detection) {
				defer close(blurs)
				var out [2]*float64
				if b, ok := card.EdgeBlur(img, d); ok {
					out[0] = &b
				}
				if c, ok := card.ChromaBlur(img, d); ok {
					out[1] = &c
				}
				blurs <- out
			}(r.Detection)
			// The photo's own card cannot be re-taken: it may rest on
			// fewer patches than a session profile, and says so (Photo).
			sess, ferr := calibrate.FitWith([]calibrate.Reading{r}, calibrate.FitOptions{MinUsedPatches: calibrate.MinPatchesInFrame})
			if ferr != nil {
				return p, fmt.Errorf("the card in the photo cannot calibrate it: %w", ferr)
			}
			p.Correction = "card"
			p.Calibrated = true
			pr := sess.Results[0]
			p.Card = pr.Card
			p.Calibration = pr.Fit
			conv = sess.Profile.Lab8()
			p.CardCorners = r.Detection.Corners
			p.CardPitchPx = r.Detection.PitchPx
			break
		}
		var rej *card.RejectedError
		if errors.As(err, &rej) || !errors.Is(err, card.ErrNoCard) {
			if !opt.Uncalibrated {
				return p, fmt.Errorf("%w (%v)", ErrNoCalibration, err)
			}
		}
		if !opt.Uncalibrated {
			return p, ErrNoCalibration
		}
		p.Correction = "none (assumed sRGB)"
		conv = srgb8Lab
	}

	rd := <-works
	taken = true
	if rd.err != nil {
		return p, rd.err
	}
	work, scale := rd.work, rd.scale
	defer work.Close()
	// The clipped pixels are read off the photo as it is, beside the
	// conversion.
	type clipped struct {
		mask *image.Gray
		err  error
	}
	clips := make(chan clipped, 1)
	go func() {
		m, err := clippedMask(img, work.Cols(), work.Rows())
		clips <- clipped{m, err}
	}()
	lab, corrected, err := toLab(work, conv)
	cl := <-clips
	if err != nil {
		return p, err
	}
	p.Lab, p.Corrected, p.Scale = lab, corrected, scale
	if p.Clipped, err = cl.mask, cl.err; err != nil {
		return p, err
	}
	if !opt.ROI.Empty() {
		p.ROI = scaleRect(opt.ROI, scale)
	}
	if opt.ROIMask != nil {
		p.Mask = scaleMask(opt.ROIMask, lab.W, lab.H)
	}
	if p.CardPitchPx > 0 {
		p.Exclude = append(p.Exclude, grownPolygon(p.CardCorners, p.CardPitchPx, scale))
	}
	if blurs != nil {
		b := <-blurs
		p.BlurPx, p.ChromaBlurPx = b[0], b[1]
	}
	return p, nil
}
