package batch

import (
	"fmt"
	"image"
	"math"
	"strings"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/recipe"
)

// Roles of a photo in a client's set.
const (
	// RoleScalp is a scalp photo: measured and matched.
	RoleScalp = "scalp"
	// RoleCard is a card shot: it calibrates the client's scalp photos and
	// is not measured itself.
	RoleCard = "card"
)

// PhotoMatch is one photo's measurement and, inline, its recommendation:
// the JSON contract of `smpmatch match PHOTO --json`, and of each line of
// results.jsonl (which adds client_id and role).
type PhotoMatch struct {
	// ClientID is the client the photo belongs to (batch only).
	ClientID string `json:"client_id,omitempty"`
	// Photo names the photo: its path as given, or relative to the batch's
	// input folder or manifest.
	Photo string `json:"photo"`
	// Role is RoleScalp or RoleCard (batch only).
	Role  string `json:"role,omitempty"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Note says why a card shot was not used (batch only).
	Note string `json:"note,omitempty"`
	// Measurement is the measure contract (absent for card shots).
	Measurement *measure.Result `json:"measurement,omitempty"`
	// CardFit is a card shot's calibration result (card shots only).
	CardFit *calibrate.PhotoResult `json:"card_fit,omitempty"`
	*recipe.Result
}

// Settings are what the pipeline needs besides the photo.
type Settings struct {
	// Measure are the measurement options (profile, ROI, card search...).
	Measure measure.Options
	// Recommender searches the palette; Recipe are its options.
	Recommender *recipe.Recommender
	Recipe      recipe.Options
	// MaxPixels refuses larger photos (0: photo.DefaultMaxPixels).
	MaxPixels int
}

// Measure loads and measures one photo. path is opened; name is what the
// result and its error messages call it. Errors become a failed Result.
func Measure(path, name string, opt measure.Options, maxPixels int) (measure.Result, *measure.Artifacts) {
	res, art, _ := measureCard(path, name, opt, maxPixels)
	return res, art
}

// measureCard is Measure that also returns the bounding box of the card in
// the photo, in the working image's pixels (empty without one), so that
// the report's close-up can stay clear of it.
func measureCard(path, name string, opt measure.Options, maxPixels int) (measure.Result, *measure.Artifacts, image.Rectangle) {
	img, info, err := photo.Load(path, photo.Options{MaxPixels: maxPixels})
	if err != nil {
		return measure.Result{Photo: name, Error: rename(err.Error(), path, name)}, nil, image.Rectangle{}
	}
	defer img.Close()
	res, art := measureImage(path, name, img, info, opt)
	corners := [][2]float64{}
	if res.Card != nil {
		corners = res.Card.Corners[:]
	} else if res.OK && art != nil {
		// Corrected by a profile, the photo was not searched for a card;
		// one in the frame must still stay out of the report's close-up.
		if rd, err := calibrate.Read(name, img, calibrate.ReadOptions{Detect: opt.Read.Detect}); err == nil {
			for _, p := range rd.Detection.Corners {
				corners = append(corners, [2]float64{p.X, p.Y})
			}
		}
	}
	return res, art, cardBox(corners, res.WorkSize[0], img.Cols())
}

// cardBox is the bounding box of a card's corners (photo pixels) in the
// working image of width workW, grown by a fifth of its size for the
// card's border and shadow.
func cardBox(corners [][2]float64, workW, photoW int) image.Rectangle {
	if len(corners) == 0 || photoW <= 0 || workW <= 0 {
		return image.Rectangle{}
	}
	s := float64(workW) / float64(photoW)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range corners {
		x0, y0 = math.Min(x0, c[0]*s), math.Min(y0, c[1]*s)
		x1, y1 = math.Max(x1, c[0]*s), math.Max(y1, c[1]*s)
	}
	mx, my := (x1-x0)/5, (y1-y0)/5
	return image.Rect(int(x0-mx), int(y0-my), int(math.Ceil(x1+mx)), int(math.Ceil(y1+my)))
}

func measureImage(path, name string, img gocv.Mat, info photo.Info, opt measure.Options) (measure.Result, *measure.Artifacts) {
	if opt.ROIMask != nil && (opt.ROIMask.Bounds().Dx() != info.Width || opt.ROIMask.Bounds().Dy() != info.Height) {
		return measure.Result{Photo: name, Error: fmt.Sprintf("%s: the ROI mask is %dx%d, the photo %dx%d: they must match",
			name, opt.ROIMask.Bounds().Dx(), opt.ROIMask.Bounds().Dy(), info.Width, info.Height)}, nil
	}
	opt.Source = info
	res, art, err := measure.Photo(name, img, opt)
	if err != nil {
		res.OK = false
		res.Error = fmt.Sprintf("%s: %v", name, rename(err.Error(), path, name))
		return res, nil
	}
	return res, art
}

// rename replaces the opened path by the photo's name in a message, so that
// results do not depend on where the inputs were on disk.
func rename(msg, path, name string) string {
	if path == name || path == "" {
		return msg
	}
	return strings.ReplaceAll(msg, path, name)
}

// ProcessPhoto measures a scalp photo and recommends blends for its hair
// and scalp: calibrate (profile or in-photo card) → measure → match. A
// low-confidence measurement still gets blends, flagged in its warnings:
// the practitioner decides, but is told. It is sequential and deterministic;
// run photos in parallel, not the inside of one.
func ProcessPhoto(path, name string, s Settings) (PhotoMatch, *measure.Artifacts) {
	pm, art, _ := processPhoto(path, name, s)
	return pm, art
}

// processPhoto is ProcessPhoto that also returns the card's box in the
// working image (measureCard).
func processPhoto(path, name string, s Settings) (PhotoMatch, *measure.Artifacts, image.Rectangle) {
	m, art, box := measureCard(path, name, s.Measure, s.MaxPixels)
	pm, art := recommend(name, m, art, s)
	return pm, art, box
}

func recommend(name string, m measure.Result, art *measure.Artifacts, s Settings) (PhotoMatch, *measure.Artifacts) {
	pm := PhotoMatch{Photo: name, Measurement: &m}
	if !m.OK {
		pm.Error = m.Error
		return pm, art
	}
	if !m.Scalp.Found || (!m.Hair.Found && s.Recipe.TargetLab == nil) {
		missing := "hair"
		if !m.Scalp.Found {
			missing = "scalp"
		}
		pm.Error = fmt.Sprintf("%s: no %s found to match against", name, missing)
		return pm, art
	}
	if s.Recommender == nil {
		pm.Error = fmt.Sprintf("%s: no palette to recommend from", name)
		return pm, art
	}
	res, err := s.Recommender.Recommend(m.Hair.Lab, m.Scalp.Lab, s.Recipe)
	if err != nil {
		pm.Error = fmt.Sprintf("%s: %v", name, err)
		return pm, art
	}
	pm.OK = true
	pm.Result = &res
	return pm, art
}
