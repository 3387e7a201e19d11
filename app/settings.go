package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"sesame/keystore"
)

// Settings are the choices of the settings screen that the program needs
// before any window opens: which server, which language. They hold no
// secret.
type Settings struct {
	// Server is the auth server's base URL; "" is the built-in server.
	Server string `json:"server,omitempty"`
	// Language is "en", "zh_Hans", or "" for the system's.
	Language string `json:"language,omitempty"`
	// Window is the window's size when the app last stopped, if known.
	Window *WindowSize `json:"window,omitempty"`
}

// WindowSize is a window's size in Fyne's device-independent units.
type WindowSize struct {
	Width  float32 `json:"width"`
	Height float32 `json:"height"`
}

// SettingsFile is the name of the settings in the data folder.
const SettingsFile = "settings.json"

// ErrBadSettings reports a settings file that cannot be read as settings;
// the program goes on with the defaults.
var ErrBadSettings = errors.New("the settings file is damaged")

// LoadSettings reads dir's settings; a missing file gives the defaults.
func LoadSettings(dir string) (Settings, error) {
	var s Settings
	data, err := os.ReadFile(filepath.Join(dir, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading the settings: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return Settings{}, fmt.Errorf("%w: %v", ErrBadSettings, err)
	}
	return s, nil
}

// SaveSettings writes s to dir atomically, as the wallet vault is written
// (keystore.WriteFile).
func SaveSettings(dir string, s Settings) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := keystore.WriteFile(filepath.Join(dir, SettingsFile), append(data, '\n')); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	return nil
}

// ErrNoDataDir reports that the platform names no data folder for the user
// ($HOME, or %LOCALAPPDATA% on Windows, is unset).
var ErrNoDataDir = errors.New("the user's data folder is unknown")

// DataDir is the user's data folder of Sesame, which holds the settings,
// the wallet vault and the built-in server's database.
func DataDir() (string, error) {
	return dataDir(runtime.GOOS, os.Getenv, os.UserHomeDir)
}

// dataDir is DataDir on the system goos:
//   - windows: %LOCALAPPDATA%\Sesame. Local, not roaming (%APPDATA%): a
//     roaming profile would copy the vault and the database to the
//     domain's file server and other computers. The folder gets a
//     DACL of the user and SYSTEM only (keystore.PrivateDir).
//   - darwin: ~/Library/Application Support/Sesame.
//   - others: $XDG_DATA_HOME/sesame when absolute, else
//     ~/.local/share/sesame.
func dataDir(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if goos == "windows" {
		d := getenv("LOCALAPPDATA")
		if !filepath.IsAbs(d) {
			return "", fmt.Errorf("%w: %%LOCALAPPDATA%% is not set", ErrNoDataDir)
		}
		return filepath.Join(d, "Sesame"), nil
	}
	if d := getenv("XDG_DATA_HOME"); goos != "darwin" && filepath.IsAbs(d) {
		return filepath.Join(d, "sesame"), nil
	}
	h, err := home()
	if err != nil || h == "" {
		return "", fmt.Errorf("%w: no home folder: %v", ErrNoDataDir, err)
	}
	if goos == "darwin" {
		return filepath.Join(h, "Library", "Application Support", "Sesame"), nil
	}
	return filepath.Join(h, ".local", "share", "sesame"), nil
}
