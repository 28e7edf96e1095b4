package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
)

// Options control a batch run.
type Options struct {
	// Out is the output folder (created if missing).
	Out string
	// Settings are the per-photo pipeline's settings shared by every photo;
	// manifest columns override profile, ROI and target per photo/client.
	Settings Settings
	// Palette is the palette Settings.Recommender was made from (named in
	// the report and part of the settings fingerprint).
	Palette *palettes.Palette
	// ProfileName names Settings.Measure.Profile's file in the report.
	ProfileName string
	// Workers is the number of photos processed at once (0: one per CPU).
	Workers int
	// Version is smpmatch's version, part of every state key.
	Version string
	// Progress hears about each photo (nil: silent).
	Progress Progress
	// Log receives notes (nil: discarded).
	Log *slog.Logger
	// Shard is "K/N" when clients are one shard of the inputs (for the
	// report's header).
	Shard string

	// fault and step are test hooks: write errors injected under --out,
	// and a call after each stage of publishing the outputs.
	fault faults
	step  func(string)
	// CSVBOM starts clients.csv with a UTF-8 byte-order mark, so that
	// Excel reads it as UTF-8.
	CSVBOM bool
}

// Summary counts a run's photos.
type Summary struct {
	Photos, Failed, Resumed, Clients int
}

// ErrInterrupted means the run was cancelled: the photos finished so far
// are kept in the state and a re-run continues from there.
var ErrInterrupted = errors.New("interrupted: the photos finished so far are saved; run the same command again to continue")

// Index lists what a run covered; it is written as out/index.json when the
// run completes, and results.jsonl, clients.csv and report.html are built
// from it and the state records (merge joins the indexes of shards).
type Index struct {
	Schema   string `json:"schema"`
	Version  string `json:"smpmatch_version"`
	Palette  string `json:"palette"`
	Profile  string `json:"profile"`
	Settings string `json:"settings"`
	// Shard is "K/N" when the run processed one shard.
	Shard string `json:"shard,omitempty"`
	// Created is the day the run completed (UTC, YYYY-MM-DD), for the
	// report.
	Created string `json:"created,omitempty"`
	// CSVBOM starts clients.csv with a UTF-8 byte-order mark (Excel).
	CSVBOM bool `json:"csv_bom,omitempty"`
	// HealedModel is the version of the healed-in-skin model the
	// recommendations used, and HealedModelFile its file (path as given
	// and SHA-256) when it is not the built-in one (--healed-model).
	HealedModel     string              `json:"healed_model,omitempty"`
	HealedModelFile *recipe.ModelSource `json:"healed_model_file,omitempty"`
	// VolumeML and DropML are the cup and the drop the outputs give each
	// blend's bottles for (0: recipe's defaults). They are not part of
	// Settings: the outputs resize the kept bottles (recipe.Bottles.ForVolume),
	// so another cup does not redo the photos.
	VolumeML float64       `json:"volume_ml,omitempty"`
	DropML   float64       `json:"drop_ml,omitempty"`
	Clients  []IndexClient `json:"clients"`
}

// IndexClient is one client of an Index.
type IndexClient struct {
	ID        string       `json:"id"`
	ClientKey string       `json:"client_key"`
	Photos    []IndexPhoto `json:"photos"`
}

// IndexPhoto is one photo of an IndexClient: the key of its state record,
// or its result inline when it has none (unreadable file, unused card shot).
type IndexPhoto struct {
	Name   string      `json:"name"`
	Role   string      `json:"role"`
	Key    string      `json:"key,omitempty"`
	Inline *PhotoMatch `json:"inline,omitempty"`
}

type clientRun struct {
	c       *Client
	index   int // in the run's clients
	once    sync.Once
	cardKey string
	cards   *cardRecord
	useCard bool
	// cardsDone is true when the card fit was found in the state.
	cardsDone bool
}

type task struct {
	cr *clientRun
	i  int // photo index in the client
}

// Run processes the clients' photos on a pool of workers, keeping each
// finished photo in out/state, and then writes results.jsonl, clients.csv
// and report.html. Photos already in the state with the same key (photo
// bytes, settings, version) are not redone. Cancelling ctx stops handing out
// photos; those in flight finish and Run returns ErrInterrupted.
func Run(ctx context.Context, clients []Client, o Options) (Summary, error) {
	var sum Summary
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Progress == nil {
		o.Progress = nopProgress{}
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if err := os.MkdirAll(filepath.Join(o.Out, stateDir), 0o755); err != nil {
		if IsDiskError(err) {
			return sum, outputError(o.Out, err)
		}
		return sum, fmt.Errorf("--out: %w", err)
	}
	lk, err := acquireLock(o.Out)
	if err != nil {
		return sum, err
	}
	defer lk.release()
	removeTemps(o.Out)
	fp, err := fingerprint(o)
	if err != nil {
		return sum, err
	}
	st := store{dir: filepath.Join(o.Out, stateDir), fault: o.fault}
	// A disk error (full, read-only, I/O) stops the run at once: cancel
	// hands out no more photos.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &runner{o: o, fp: fp, st: st, cancel: cancel}

	idx := Index{Schema: "smpmatch.batch-index/1", Version: o.Version, Settings: fp, Profile: profileDescription(o), Shard: o.Shard, CSVBOM: o.CSVBOM,
		HealedModel: optics.DefaultHealedModel().Version, HealedModelFile: o.Settings.Recipe.ModelSource,
		VolumeML: o.Settings.Recipe.VolumeML, DropML: o.Settings.Recipe.DropML}
	if m := o.Settings.Recipe.Model; m != nil {
		idx.HealedModel = m.Version
	}
	if o.Palette != nil {
		idx.Palette = strings.TrimSpace(o.Palette.Name + " " + o.Palette.Version)
	}
	var tasks []task
	runs := make([]*clientRun, len(clients))
	idx.Clients = make([]IndexClient, len(clients))
	for ci := range clients {
		c := &clients[ci]
		cr := &clientRun{c: c, index: ci}
		runs[ci] = cr
		idx.Clients[ci] = IndexClient{ID: c.ID, Photos: make([]IndexPhoto, len(c.Photos))}
		for pi, p := range c.Photos {
			idx.Clients[ci].Photos[pi] = IndexPhoto{Name: p.Name, Role: p.Role}
			if p.Role == RoleScalp && p.Profile == "" && o.Settings.Measure.Profile == nil {
				cr.useCard = true
			}
			tasks = append(tasks, task{cr, pi})
		}
	}
	// Card shots first, then the photos that do not wait for them, then
	// those corrected by their client's card shots: a worker blocks on a
	// card fit only when nothing else is left to do.
	rank := func(t task) int {
		p := t.cr.c.Photos[t.i]
		switch {
		case p.Role == RoleCard:
			return 0
		case t.cr.useCard && p.Profile == "" && hasCards(t.cr.c):
			return 2
		}
		return 1
	}
	sort.SliceStable(tasks, func(i, j int) bool { return rank(tasks[i]) < rank(tasks[j]) })

	sum.Photos, sum.Clients = len(tasks), len(clients)
	o.Progress.Start(len(tasks))
	ch := make(chan task)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range ch {
				if ctx.Err() != nil {
					// Stopped (a signal, a disk error): a photo handed
					// out in the same instant is not started.
					continue
				}
				ip, skipped := r.photo(t)
				mu.Lock()
				idx.Clients[t.cr.index].Photos[t.i] = ip
				mu.Unlock()
				ev := Event{ClientID: t.cr.c.ID, Photo: ip.Name, Skipped: skipped}
				if res, ok := r.result(ip); ok && !res.OK {
					ev.Failed, ev.Error = true, res.Error
				}
				mu.Lock()
				if skipped {
					sum.Resumed++
				}
				if ev.Failed {
					sum.Failed++
				}
				mu.Unlock()
				o.Progress.Photo(ev)
			}
		}()
	}
	interrupted := false
feed:
	for _, t := range tasks {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		select {
		case <-ctx.Done():
			interrupted = true
			break feed
		case ch <- t:
		}
	}
	close(ch)
	wg.Wait()
	o.Progress.Finish()
	if err := r.diskError(); err != nil {
		return sum, outputError(o.Out, err)
	}
	if interrupted {
		return sum, ErrInterrupted
	}
	for ci, cr := range runs {
		ck, err := r.client(cr, idx.Clients[ci].Photos)
		if err != nil {
			if IsDiskError(err) {
				return sum, outputError(o.Out, err)
			}
			return sum, err
		}
		idx.Clients[ci].ClientKey = ck
	}
	idx.Created = time.Now().UTC().Format("2006-01-02")
	if err := publish(o.Out, idx, o.fault, o.step); err != nil {
		if IsDiskError(err) {
			return sum, outputError(o.Out, err)
		}
		return sum, err
	}
	return sum, nil
}

// removeTemps deletes the temporary files a killed run left behind (the
// lock is ours, so no other run is writing them).
func removeTemps(out string) {
	for _, dir := range []string{out, filepath.Join(out, stateDir)} {
		m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
		for _, p := range m {
			os.Remove(p)
		}
	}
}

func writeIndex(out string, idx Index) error {
	b, err := json.MarshalIndent(idx, "", " ")
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return calibrate.WriteFileAtomic(filepath.Join(out, indexName), append(b, '\n'))
}

func readIndex(out string) (Index, error) {
	var idx Index
	b, err := readBounded(filepath.Join(out, indexName), maxStateBytes)
	if err != nil {
		return idx, fmt.Errorf("batch output %s: %w (was the batch completed?)", out, err)
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return idx, fmt.Errorf("batch output %s: %s: %w", out, indexName, err)
	}
	return idx, nil
}

func profileDescription(o Options) string {
	switch {
	case o.Settings.Measure.Profile != nil && o.ProfileName != "":
		return filepath.Base(o.ProfileName)
	case o.Settings.Measure.Profile != nil:
		return "given profile"
	case o.Settings.Measure.Uncalibrated:
		return "per client: card shots, else the card in each photo, else uncalibrated (assumed sRGB)"
	}
	return "per client: card shots, else the card in each photo"
}

// fingerprint hashes every setting that changes a photo's result. The cup
// and the drop (--volume, --drop-ml) are left out: they change no
// measurement and no recommendation, only the ml and drops of the bottles,
// which the outputs resize from the Index (a run with another cup reuses
// every kept photo and client).
func fingerprint(o Options) (string, error) {
	k, sum := newKey()
	ropt := o.Settings.Recipe
	ropt.VolumeML, ropt.DropML = 0, 0
	b, err := json.Marshal(struct {
		Palette   *palettes.Palette
		Recipe    any
		Measure   measure.Options
		MaxPixels int
	}{o.Palette, ropt, o.Settings.Measure, o.Settings.MaxPixels})
	if err != nil {
		return "", fmt.Errorf("settings fingerprint: %w", err)
	}
	k.str(stateSchema)
	k.str(o.Version)
	k.str(string(b))
	return sum(), nil
}

type runner struct {
	o        Options
	fp       string
	st       store
	profiles sync.Map // path → profileOrErr
	cancel   func()
	mu       sync.Mutex
	disk     error // the first disk error: the run stops
}

// stop records a disk error and stops handing out photos.
func (r *runner) stop(err error) {
	r.mu.Lock()
	if r.disk == nil {
		r.disk = err
	}
	r.mu.Unlock()
	r.cancel()
}

func (r *runner) diskError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.disk
}

type profileOrErr struct {
	p    *calibrate.Profile
	hash string
	err  error
}

func (r *runner) profile(path, within string) profileOrErr {
	if v, ok := r.profiles.Load(path); ok {
		return v.(profileOrErr)
	}
	var pe profileOrErr
	var real string
	pe.hash, real, pe.err = fileHash(path, within)
	if pe.err == nil {
		pe.p, pe.err = calibrate.LoadProfile(real)
		if pe.err != nil {
			pe.err = errors.New(rename(pe.err.Error(), real, path))
		}
	}
	r.profiles.Store(path, pe)
	return pe
}

// result returns a photo's result from the index entry and the state.
func (r *runner) result(ip IndexPhoto) (PhotoMatch, bool) {
	return photoResult(r.st, ip)
}

func photoResult(st store, ip IndexPhoto) (PhotoMatch, bool) {
	if ip.Inline != nil {
		return *ip.Inline, true
	}
	if ip.Key == "" {
		return PhotoMatch{}, false
	}
	if ip.Role == RoleCard {
		var cr cardRecord
		if !st.load(ip.Key, &cr) {
			return PhotoMatch{}, false
		}
		for _, res := range cr.Results {
			if res.Photo == ip.Name {
				return res, true
			}
		}
		return PhotoMatch{}, false
	}
	var rec photoRecord
	if !st.load(ip.Key, &rec) {
		return PhotoMatch{}, false
	}
	return rec.Result, true
}

// photo processes one photo (or finds it done) and returns its index entry.
func (r *runner) photo(t task) (IndexPhoto, bool) {
	c, p := t.cr.c, t.cr.c.Photos[t.i]
	ip := IndexPhoto{Name: p.Name, Role: p.Role}
	fail := func(msg string) (IndexPhoto, bool) {
		ip.Inline = &PhotoMatch{ClientID: c.ID, Photo: p.Name, Role: p.Role, Error: msg}
		return ip, false
	}
	if p.Role == RoleCard {
		if !t.cr.useCard {
			ip.Inline = &PhotoMatch{ClientID: c.ID, Photo: p.Name, Role: p.Role, OK: true, Note: "card shot not used: no scalp photo of this client needs it (each has a profile, or there is none)"}
			return ip, false
		}
		skipped := r.cards(t.cr)
		ip.Key = t.cr.cardKey
		if ip.Key == "" {
			return fail(t.cr.cards.Error)
		}
		return ip, skipped
	}

	s := r.o.Settings
	k, sum := newKey()
	k.str("photo")
	k.str(r.fp)
	k.str(c.ID)
	k.str(p.Name)
	if p.Profile != "" {
		pe := r.profile(p.Profile, p.Within)
		if pe.err != nil {
			return fail(fmt.Sprintf("%s: %v", p.Name, pe.err))
		}
		s.Measure.Profile = pe.p
		k.str("profile " + pe.hash)
	} else if s.Measure.Profile == nil && t.cr.useCard && hasCards(c) {
		r.cards(t.cr)
		k.str("cards " + t.cr.cardKey)
		if t.cr.cards != nil && t.cr.cards.Profile != nil {
			s.Measure.Profile = t.cr.cards.Profile
		}
	}
	if !p.ROI.Empty() {
		s.Measure.ROI = p.ROI
		k.str(fmt.Sprint("roi ", p.ROI))
	}
	if c.Target != "" && s.Recipe.TargetLab == nil {
		s.Recipe.Target = c.Target
		k.str("target " + string(c.Target))
	}
	real, err := k.file(p.Path, p.Within)
	if err != nil {
		return fail(rename(err.Error(), p.Path, p.Name))
	}
	ip.Key = sum()
	var rec photoRecord
	if r.st.load(ip.Key, &rec) && r.st.complete(rec) {
		return ip, true
	}
	pm, art, card := processPhoto(real, p.Name, s)
	pm.ClientID, pm.Role = c.ID, RoleScalp
	rec = photoRecord{Schema: stateSchema, Key: ip.Key, Result: pm}
	rec.Taken, rec.TakenFrom = photoDate(real)
	// The pictures first, then the record: a record is complete or absent.
	unsaved := func(what string, err error) (IndexPhoto, bool) {
		if IsDiskError(err) {
			r.stop(err)
		} else {
			r.o.Log.Error(what+" not saved: the photo will be redone next time", "photo", p.Name, "err", err)
		}
		ip.Key = ""
		ip.Inline = &rec.Result
		return ip, false
	}
	if art != nil {
		var err error
		if rec.ZoomMMPerPx, rec.Pictures, err = writeThumbs(r.st, ip.Key, art, pm.Measurement, card); err != nil {
			return unsaved("pictures", err)
		}
		rec.Thumbs = true
	} else if err := writeRawThumb(r.st, ip.Key, real, s.MaxPixels); err == nil {
		// The photo could not be measured: the report still shows it.
		rec.RawThumb = true
	} else if IsDiskError(err) {
		return unsaved("picture", err)
	}
	if err := r.st.save(ip.Key, rec); err != nil {
		return unsaved("state", err)
	}
	return ip, false
}

func hasCards(c *Client) bool {
	for _, p := range c.Photos {
		if p.Role == RoleCard {
			return true
		}
	}
	return false
}

// cards fits the client's card shots once (or finds the fit in the state);
// it reports whether the fit came from the state.
func (r *runner) cards(cr *clientRun) (fromState bool) {
	cr.once.Do(func() { cr.cardsDone = r.fitOnce(cr) })
	return cr.cardsDone
}

// fitOnce is cards' body; it reports whether the fit came from the state.
func (r *runner) fitOnce(cr *clientRun) bool {
	c := cr.c
	k, sum := newKey()
	k.str("cards")
	k.str(r.o.Version)
	k.str(stateSchema)
	b, _ := json.Marshal(struct {
		Read      calibrate.ReadOptions
		MaxPixels int
	}{r.o.Settings.Measure.Read, r.o.Settings.MaxPixels})
	k.str(string(b))
	k.str(c.ID)
	var cardPhotos []Photo
	for _, p := range c.Photos {
		if p.Role != RoleCard {
			continue
		}
		k.str(p.Name)
		real, err := k.file(p.Path, p.Within)
		if err != nil {
			cr.cards = &cardRecord{Error: rename(err.Error(), p.Path, p.Name)}
			return false
		}
		p.Path = real // opened again by the fit: no link is followed twice
		cardPhotos = append(cardPhotos, p)
	}
	cr.cardKey = sum()
	var rec cardRecord
	if r.st.load(cr.cardKey, &rec) {
		cr.cards = &rec
		return true
	}
	rec = fitCards(c.ID, cardPhotos, r.o.Settings)
	rec.Schema, rec.Key = stateSchema, cr.cardKey
	cr.cards = &rec
	if err := r.st.save(cr.cardKey, rec); err != nil {
		if IsDiskError(err) {
			r.stop(err)
		} else {
			r.o.Log.Error("state not saved", "client", c.ID, "err", err)
		}
	}
	return false
}

// fitCards reads the card in each card shot and fits one profile to all.
func fitCards(clientID string, photos []Photo, s Settings) cardRecord {
	var rec cardRecord
	var readings []calibrate.Reading
	var at []int
	for _, p := range photos {
		pm := PhotoMatch{ClientID: clientID, Photo: p.Name, Role: RoleCard}
		img, _, err := photo.Load(p.Path, photo.Options{MaxPixels: s.MaxPixels})
		if err != nil {
			pm.Error = rename(err.Error(), p.Path, p.Name)
			rec.Results = append(rec.Results, pm)
			continue
		}
		rd, err := calibrate.Read(p.Name, img, calibrate.ReadOptions{Detect: s.Measure.Read.Detect})
		img.Close()
		if err != nil {
			pm.Error = fmt.Sprintf("%s: card shot: %v", p.Name, err)
			rec.Results = append(rec.Results, pm)
			continue
		}
		readings = append(readings, rd)
		at = append(at, len(rec.Results))
		rec.Results = append(rec.Results, pm)
	}
	if len(readings) == 0 {
		rec.Error = "no card found in the card shots"
		return rec
	}
	sess, err := calibrate.Fit(readings)
	if err != nil {
		rec.Error = fmt.Sprintf("the card shots cannot calibrate: %v", err)
		for _, i := range at {
			rec.Results[i].Error = rec.Error
		}
		return rec
	}
	for n, i := range at {
		pr := sess.Results[n]
		rec.Results[i].CardFit = &pr
		rec.Results[i].OK = pr.OK
		rec.Results[i].Error = pr.Error
	}
	rec.Profile = sess.Profile
	return rec
}
