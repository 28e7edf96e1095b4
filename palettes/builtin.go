package palettes

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// The built-in palettes are the data files under data/, embedded in the
// binary; a palette's name is its file name without the extension.
//
//go:embed data/*.json data/*.csv
var builtinFS embed.FS

// ErrUnknownPalette means a name is neither a built-in palette nor a file.
var ErrUnknownPalette = errors.New("unknown palette")

// BuiltinNames lists the built-in palettes, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtinFS, "data")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	sort.Strings(names)
	return names
}

// Builtin loads the built-in palette with the given name.
func Builtin(name string) (*Palette, error) {
	entries, _ := fs.ReadDir(builtinFS, "data")
	for _, e := range entries {
		if strings.TrimSuffix(e.Name(), path.Ext(e.Name())) != name {
			continue
		}
		data, err := builtinFS.ReadFile("data/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("palette %s: %w", name, err)
		}
		p, err := Parse("builtin:"+e.Name(), data)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, fmt.Errorf("palette %q: %w (built-in: %s)", name, ErrUnknownPalette, strings.Join(BuiltinNames(), ", "))
}

// DefaultName is the built-in palette used when none is chosen.
const DefaultName = "smp-reference"

// Open loads a palette by file path, or by built-in name when no such file
// exists.
func Open(nameOrPath string) (*Palette, error) {
	if _, err := os.Stat(nameOrPath); err == nil {
		return Load(nameOrPath)
	}
	p, err := Builtin(nameOrPath)
	if errors.Is(err, ErrUnknownPalette) {
		return nil, fmt.Errorf("palette %q: no such file or built-in palette (built-in: %s): %w", nameOrPath, strings.Join(BuiltinNames(), ", "), ErrUnknownPalette)
	}
	return p, err
}
