package batch

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one photo finished (or found done in the state).
type Event struct {
	ClientID, Photo string
	// Skipped is true when the photo was already done in an earlier run.
	Skipped bool
	Failed  bool
	Error   string
}

// Progress hears about a run's photos. Photo is called from the workers,
// concurrently.
type Progress interface {
	Start(total int)
	Photo(Event)
	Finish()
}

type nopProgress struct{}

func (nopProgress) Start(int)   {}
func (nopProgress) Photo(Event) {}
func (nopProgress) Finish()     {}

// counter keeps the numbers a progress display shows.
type counter struct {
	mu                   sync.Mutex
	total, done, skipped int
	failed               int
	start                time.Time
	now                  func() time.Time
	// reasons counts the failures by FailureReason.
	reasons map[string]int
}

func (c *counter) add(e Event) {
	c.done++
	if e.Skipped {
		c.skipped++
	}
	if e.Failed {
		c.failed++
		if c.reasons == nil {
			c.reasons = map[string]int{}
		}
		c.reasons[FailureReason(e.Photo, e.Error)]++
	}
}

// reasonCount is a number of failures for one reason.
type reasonCount struct {
	r string
	n int
}

// summary is the failures by reason, most frequent first.
func (c *counter) summary() []reasonCount {
	type rc = reasonCount
	var rs []rc
	for r, n := range c.reasons {
		rs = append(rs, rc{r, n})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].n != rs[j].n {
			return rs[i].n > rs[j].n
		}
		return rs[i].r < rs[j].r
	})
	return rs
}

// failureReasons map a failure message to the reason a summary counts it
// under: the first fragment found in the message names the reason.
var failureReasons = []struct{ fragment, reason string }{
	{"no colour calibration", "no colour calibration (no card in the photo, no card shot, no --profile)"},
	{"card in the photo cannot calibrate", "the card in the photo cannot calibrate it"},
	{"card shots cannot calibrate", "the card shots cannot calibrate"},
	{"no card found in the card shots", "no card found in the card shots"},
	{"card shot:", "no usable card in a card shot"},
	{"too small to show hair", "photo too small"},
	{"over the limit of", "photo over the pixel limit (--max-pixels)"},
	{"not supported; export", "file format not supported (export as JPEG or PNG)"},
	{"not a readable image", "not a readable photo (corrupt, truncated or not an image)"},
	{"no hair found", "no hair found to match against"},
	{"no scalp found", "no scalp skin found"},
	{"no such file", "file missing"},
	{"permission denied", "file not readable (permission denied)"},
	{"is a directory", "a folder where a photo was expected"},
	{"no palette", "no palette to recommend from"},
}

// FailureReason says in a few words why a photo failed, for a summary by
// reason: a known cause, else the message without the photo's name.
func FailureReason(photo, msg string) string {
	low := strings.ToLower(msg)
	for _, f := range failureReasons {
		if strings.Contains(low, f.fragment) {
			return f.reason
		}
	}
	if photo != "" {
		msg = strings.ReplaceAll(msg, photo+": ", "")
		msg = strings.ReplaceAll(msg, photo, "the photo")
	}
	if msg == "" {
		return "unknown"
	}
	return msg
}

func (c *counter) rateETA() (rate float64, eta time.Duration) {
	el := c.now().Sub(c.start).Seconds()
	worked := c.done - c.skipped
	if el <= 0 || worked <= 0 {
		return 0, -1
	}
	rate = float64(worked) / el
	return rate, time.Duration(float64(c.total-c.done) / rate * float64(time.Second))
}

// Bar is a one-line progress bar redrawn with \r, for a terminal: count,
// rate, ETA and failures.
type Bar struct {
	w     io.Writer
	c     counter
	last  time.Time
	width int
}

// NewBar returns a progress bar writing to w (a terminal).
func NewBar(w io.Writer) *Bar { return &Bar{w: w, width: 30, c: counter{now: time.Now}} }

// Start implements Progress.
func (b *Bar) Start(total int) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	b.c.total, b.c.start = total, b.c.now()
	b.draw()
}

// Photo implements Progress. A failure is printed as one line above the
// bar as it happens (the bar is cleared, the line written, the bar
// redrawn below it).
func (b *Bar) Photo(e Event) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	b.c.add(e)
	if e.Failed {
		fmt.Fprintf(b.w, "\r\x1b[KFAILED %s: %s\n", e.Photo, failureLine(e))
		b.draw()
		return
	}
	if b.c.now().Sub(b.last) > 100*time.Millisecond || b.c.done == b.c.total {
		b.draw()
	}
}

// failureLine is a failure's message on one line, without the photo's name
// in front (the line starts with it).
func failureLine(e Event) string {
	msg := strings.TrimPrefix(e.Error, e.Photo+": ")
	msg = strings.Join(strings.Fields(msg), " ")
	if e.ClientID != "" && !strings.HasPrefix(e.Photo, e.ClientID+"/") {
		msg += " (client " + e.ClientID + ")"
	}
	return msg
}

// Finish implements Progress: the final bar, then the failures by reason.
func (b *Bar) Finish() {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	b.draw()
	fmt.Fprintln(b.w)
	if b.c.failed > 0 {
		fmt.Fprintf(b.w, "%d photo(s) failed, by reason:\n", b.c.failed)
		for _, r := range b.c.summary() {
			fmt.Fprintf(b.w, "%5d × %s\n", r.n, r.r)
		}
	}
}

func (b *Bar) draw() {
	b.last = b.c.now()
	fill := 0
	if b.c.total > 0 {
		fill = b.width * b.c.done / b.c.total
	}
	rate, eta := b.c.rateETA()
	etaS := "--:--"
	if eta >= 0 {
		etaS = fmtDuration(eta)
	}
	line := fmt.Sprintf("[%s%s] %d/%d photos  %.2f/s  ETA %s", strings.Repeat("#", fill), strings.Repeat(".", b.width-fill), b.c.done, b.c.total, rate, etaS)
	if b.c.skipped > 0 {
		line += fmt.Sprintf("  %d already done", b.c.skipped)
	}
	if b.c.failed > 0 {
		line += fmt.Sprintf("  %d FAILED", b.c.failed)
	}
	fmt.Fprintf(b.w, "\r%s\x1b[K", line)
}

func fmtDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// LogProgress reports each photo as a log line, for when stderr is not a
// terminal. Lines name the photo and the client ID, nothing else.
type LogProgress struct {
	log *slog.Logger
	c   counter
}

// NewLogProgress returns a Progress that logs to l.
func NewLogProgress(l *slog.Logger) *LogProgress {
	return &LogProgress{log: l, c: counter{now: time.Now}}
}

// Start implements Progress.
func (p *LogProgress) Start(total int) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.c.total, p.c.start = total, p.c.now()
	p.log.Info("batch started", "photos", total)
}

// Photo implements Progress.
func (p *LogProgress) Photo(e Event) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.c.add(e)
	rate, eta := p.c.rateETA()
	attrs := []any{"n", p.c.done, "of", p.c.total, "client", e.ClientID, "photo", e.Photo}
	switch {
	case e.Skipped:
		attrs = append(attrs, "status", "already done")
	case e.Failed:
		attrs = append(attrs, "status", "failed", "error", e.Error)
	default:
		attrs = append(attrs, "status", "ok")
	}
	if eta >= 0 {
		attrs = append(attrs, "rate_per_s", fmt.Sprintf("%.2f", rate), "eta", fmtDuration(eta))
	}
	if e.Failed {
		p.log.Warn("photo", attrs...)
	} else {
		p.log.Info("photo", attrs...)
	}
}

// Finish implements Progress.
func (p *LogProgress) Finish() {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.log.Info("batch finished", "photos", p.c.done, "of", p.c.total, "already_done", p.c.skipped, "failed", p.c.failed)
	for _, r := range p.c.summary() {
		p.log.Warn("failures by reason", "photos", r.n, "reason", r.r)
	}
}
