package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"sesame/authapi"
	"sesame/keystore"
	"sesame/recovery"
	"sesame/wallet"
)

// Wallet failures.
var (
	// ErrNoWallet: there is no wallet on this computer yet.
	ErrNoWallet = errors.New("there is no wallet on this computer")
	// ErrWalletExists: a wallet is already here; confirm to overwrite it.
	ErrWalletExists = errors.New("a wallet is already on this computer")
	// ErrWalletLocked: the step needs the unlocked wallet.
	ErrWalletLocked = errors.New("the wallet is locked")
	// ErrQuizNotPassed: the backup quiz must be passed before saving.
	ErrQuizNotPassed = errors.New("the backup quiz is not passed")
	// ErrFingerprintMismatch: a restored phrase and passphrase make
	// another wallet than the one expected; see FingerprintMismatchError.
	ErrFingerprintMismatch = errors.New("the restored wallet's fingerprint is not the expected one")
)

// FingerprintMismatchError says that a restore makes a wallet whose
// fingerprint differs from the one the user typed (Typed) or from the
// wallet it would replace. It matches ErrFingerprintMismatch, and
// ErrWalletExists when it stops a restore over the wallet here.
type FingerprintMismatchError struct {
	Expected wallet.Fingerprint // typed, or of the wallet here
	Restored wallet.Fingerprint // of the phrase and passphrase restored
	Typed    bool
	// Passphrase is set when the restore has a passphrase: a different
	// passphrase opens a different, empty wallet.
	Passphrase bool
}

func (e *FingerprintMismatchError) Error() string {
	against := "the wallet on this computer"
	if e.Typed {
		against = "the typed fingerprint"
	}
	return fmt.Sprintf("the restored wallet's fingerprint %s differs from %s, %s", e.Restored, against, e.Expected)
}

func (e *FingerprintMismatchError) Unwrap() []error {
	if e.Typed {
		return []error{ErrFingerprintMismatch}
	}
	return []error{ErrFingerprintMismatch, ErrWalletExists}
}

// WalletState is whether a wallet exists and is unlocked.
type WalletState int

// Wallet states.
const (
	WalletNone WalletState = iota
	WalletLocked
	WalletUnlocked
)

// AddressCount is how many addresses of each chain are shown.
const AddressCount = wallet.PreviewCount

// walletState is the unlocked wallet, kept in memory only.
type walletState struct {
	mu        sync.Mutex
	seed      []byte
	addresses []wallet.Address
	verified  bool
	file      string // the vault the seed was opened from or saved to
	// fingerprint is the seed's master key fingerprint.
	fingerprint wallet.Fingerprint
	// imported are the vault's imported keys.
	imported []importedKey
}

// vaultPayload is what the vault encrypts. The phrase is kept as entropy
// and language, which is smaller than the words and rebuilds them exactly.
type vaultPayload struct {
	Version        int    `json:"v"`
	Language       string `json:"language"`
	Entropy        []byte `json:"entropy"`
	Passphrase     string `json:"passphrase,omitempty"`
	BackupVerified bool   `json:"backup_verified"`
	// Imported are keys imported from key files: the phrase does not
	// restore them.
	Imported []importedKey `json:"imported,omitempty"`
}

// WalletState reports whether a wallet exists and is unlocked.
func (a *App) WalletState() (WalletState, error) {
	a.wallet.mu.Lock()
	unlocked := a.wallet.seed != nil
	a.wallet.mu.Unlock()
	if unlocked {
		return WalletUnlocked, nil
	}
	found, _, err := a.vaultFiles()
	switch {
	case err != nil:
		return WalletNone, err
	case found != "":
		return WalletLocked, nil
	}
	return WalletNone, nil
}

// WalletDraft is a new phrase between its generation and its saving: show
// Words, ask the Quiz, then [App.SaveNewWallet].
type WalletDraft struct {
	Mnemonic recovery.Mnemonic
	Quiz     recovery.Quiz
	passed   bool
}

// NewWallet generates a phrase of words words in lang and its backup quiz.
func (a *App) NewWallet(lang recovery.Language, words int) (*WalletDraft, error) {
	m, err := recovery.Generate(lang, words)
	if err != nil {
		return nil, err
	}
	q, err := recovery.NewQuiz(m, nil)
	if err != nil {
		return nil, err
	}
	return &WalletDraft{Mnemonic: m, Quiz: q}, nil
}

// Answer checks the quiz answers, in the order of the questions.
func (d *WalletDraft) Answer(answers []string) error {
	if err := d.Quiz.Check(d.Mnemonic, answers); err != nil {
		return err
	}
	d.passed = true
	return nil
}

// SaveNewWallet encrypts the draft's phrase under password into the vault,
// once its quiz is passed, and unlocks it. overwrite must be true to
// replace a wallet already here.
func (a *App) SaveNewWallet(ctx context.Context, d *WalletDraft, passphrase, password, confirm string, overwrite bool) ([]wallet.Address, error) {
	if d == nil || !d.passed {
		return nil, ErrQuizNotPassed
	}
	addrs, err := a.saveWallet(ctx, d.Mnemonic, passphrase, password, confirm, overwrite, true)
	if errors.Is(err, ErrWalletExists) {
		return nil, ErrWalletExists // a new wallet differs from the one here by nature
	}
	if err == nil {
		// The phrase is in the vault now; the draft forgets it.
		*d = WalletDraft{}
	}
	return addrs, err
}

// ParsePhrase reads a typed or pasted recovery phrase, with the precise
// errors of recovery.Parse.
func (a *App) ParsePhrase(input string) (recovery.Mnemonic, error) { return recovery.Parse(input) }

// PreviewAddresses derives the first addresses of a phrase and passphrase,
// shown before a restore overwrites anything. It is key derivation: call it
// off the UI thread.
func (a *App) PreviewAddresses(m recovery.Mnemonic, passphrase string) ([]wallet.Address, error) {
	seed := recovery.Seed(m, passphrase)
	defer clear(seed)
	return wallet.Preview(seed)
}

// Fingerprint returns the fingerprint of the wallet a phrase and
// passphrase make. It is key derivation: call it off the UI thread.
func (a *App) Fingerprint(m recovery.Mnemonic, passphrase string) (wallet.Fingerprint, error) {
	seed := recovery.Seed(m, passphrase)
	defer clear(seed)
	return wallet.MasterFingerprint(seed)
}

// RestorePreview is what a restore shows before it overwrites anything.
type RestorePreview struct {
	Addresses   []wallet.Address
	Fingerprint wallet.Fingerprint // of the phrase and passphrase
	// WithoutPassphrase is the phrase's fingerprint with no passphrase,
	// set when the restore has one: the wallet a forgotten passphrase
	// would open instead.
	WithoutPassphrase wallet.Fingerprint
	// Replaces is the fingerprint of the wallet here, zero when there is
	// none or it is not known.
	Replaces wallet.Fingerprint
	// Exists is set when a wallet is here, which the restore replaces.
	Exists bool
	// ImportedHere are the addresses of the keys imported into the wallet
	// here: the restore replaces them too, and the phrase does not bring
	// them back.
	ImportedHere []string
}

// PreviewRestore derives what a restore of a phrase and passphrase shows.
// typed is the fingerprint the user wrote down, "" when none: one that is
// not 8 hex digits gives wallet.ErrFingerprint, one that differs the
// preview and a *FingerprintMismatchError. It is key derivation: call it
// off the UI thread.
func (a *App) PreviewRestore(m recovery.Mnemonic, passphrase, typed string) (RestorePreview, error) {
	var p RestorePreview
	if typed != "" {
		if _, err := wallet.ParseFingerprint(typed); err != nil {
			return p, err
		}
	}
	seed := recovery.Seed(m, passphrase)
	defer clear(seed)
	var err error
	if p.Addresses, err = wallet.Preview(seed); err != nil {
		return RestorePreview{}, err
	}
	if p.Fingerprint, err = wallet.MasterFingerprint(seed); err != nil {
		return RestorePreview{}, err
	}
	if passphrase != "" {
		if p.WithoutPassphrase, err = a.Fingerprint(m, ""); err != nil {
			return RestorePreview{}, err
		}
	}
	found, _, err := a.vaultFiles()
	if err != nil {
		return RestorePreview{}, err
	}
	if p.Exists = found != ""; p.Exists {
		meta, _ := readMeta(found) // a damaged file only hides the comparison
		p.Replaces, p.ImportedHere = meta.Fingerprint, meta.Imported
	}
	return p, CompareFingerprint(typed, p.Fingerprint, passphrase != "")
}

// CompareFingerprint checks the fingerprint the user wrote down, typed,
// against a restore's: nil when they match or none is typed,
// wallet.ErrFingerprint when typed is not 8 hex digits, else a
// *FingerprintMismatchError. The restore screen and PreviewRestore call it.
func CompareFingerprint(typed string, restored wallet.Fingerprint, passphrase bool) error {
	if typed == "" {
		return nil
	}
	want, err := wallet.ParseFingerprint(typed)
	if err != nil {
		return err
	}
	if want != restored {
		return &FingerprintMismatchError{Expected: want, Restored: restored, Typed: true, Passphrase: passphrase}
	}
	return nil
}

// RestoreWallet saves a restored phrase into the vault and unlocks it.
// overwrite must be true to replace a wallet already here; without it, a
// wallet here whose fingerprint differs gives a *FingerprintMismatchError
// (which matches ErrWalletExists too).
func (a *App) RestoreWallet(ctx context.Context, m recovery.Mnemonic, passphrase, password, confirm string, overwrite bool) ([]wallet.Address, error) {
	return a.saveWallet(ctx, m, passphrase, password, confirm, overwrite, true)
}

func (a *App) saveWallet(ctx context.Context, m recovery.Mnemonic, passphrase, password, confirm string, overwrite, verified bool) ([]wallet.Address, error) {
	if err := CheckWalletPassword(password); err != nil {
		return nil, err
	}
	if !same(password, confirm) {
		return nil, ErrPasswordsDiffer
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	found, own, err := a.vaultFiles()
	if err != nil {
		return nil, err
	}
	entropy, err := recovery.Entropy(m)
	if err != nil {
		return nil, err
	}
	defer clear(entropy)
	seed := recovery.Seed(m, passphrase)
	fp, err := wallet.MasterFingerprint(seed)
	if err != nil {
		clear(seed)
		return nil, err
	}
	if found != "" && !overwrite {
		clear(seed)
		if here, _ := readMeta(found); !here.Fingerprint.IsZero() && here.Fingerprint != fp {
			return nil, &FingerprintMismatchError{Expected: here.Fingerprint, Restored: fp, Passphrase: passphrase != ""}
		}
		return nil, ErrWalletExists
	}
	payload, err := json.Marshal(vaultPayload{
		Version: 1, Language: m.Language.Tag(), Entropy: entropy, Passphrase: passphrase, BackupVerified: verified,
	})
	if err != nil {
		return nil, err
	}
	defer clear(payload)
	pw := []byte(password)
	defer clear(pw)
	if err := keystore.Save(own, pw, payload); err != nil {
		clear(seed)
		return nil, fmt.Errorf("saving the wallet: %w", err)
	}
	meta := walletMeta{Fingerprint: fp, Drill: drillState{Since: a.now()}}
	if old, err := readMeta(own); err == nil {
		meta.Drill.Schedule = old.Drill.Schedule // the user's choice outlives the wallet
	}
	if err := writeMeta(own, meta); err != nil {
		clear(seed)
		return nil, err
	}
	a.wallet.mu.Lock()
	clearKeys(a.wallet.imported) // the replaced vault's
	a.wallet.imported = nil
	a.wallet.mu.Unlock()
	return a.unlocked(seed, verified, own)
}

// UnlockWallet opens the vault with the wallet password. A wrong password
// and a damaged file give keystore's one error: nobody can reset this
// password; the way back is restoring from the recovery phrase. The
// unowned vault, opened while signed in, becomes the account's.
func (a *App) UnlockWallet(ctx context.Context, password string) ([]wallet.Address, error) {
	addrs, m, err := a.unlock(ctx, password)
	clear(m.Words) // the strings stay until collected
	return addrs, err
}

// unlock is UnlockWallet that also returns the phrase, for a backup drill.
func (a *App) unlock(ctx context.Context, password string) ([]wallet.Address, recovery.Mnemonic, error) {
	var none recovery.Mnemonic
	if err := ctx.Err(); err != nil {
		return nil, none, err
	}
	found, own, err := a.vaultFiles()
	if err != nil {
		return nil, none, err
	}
	if found == "" {
		return nil, none, ErrNoWallet
	}
	p, err := openPayload(found, password)
	if err != nil {
		return nil, none, fmt.Errorf("unlocking the wallet: %w", err)
	}
	defer p.clear()
	m, err := p.mnemonic()
	if err != nil {
		return nil, none, fmt.Errorf("unlocking the wallet: %w", err)
	}
	if err := claim(found, own); err != nil {
		return nil, none, err
	}
	a.wallet.mu.Lock()
	clearKeys(a.wallet.imported)
	a.wallet.imported = p.copyImported()
	a.wallet.mu.Unlock()
	addrs, err := a.unlocked(recovery.Seed(m, p.Passphrase), p.BackupVerified, own)
	if err != nil {
		return nil, none, err
	}
	return addrs, m, nil
}

// openPayload decrypts and decodes the vault at path; the caller clears it.
func openPayload(path, password string) (*vaultPayload, error) {
	pw := []byte(password)
	defer clear(pw)
	payload, err := keystore.Open(path, pw)
	if err != nil {
		return nil, err
	}
	defer clear(payload)
	p := new(vaultPayload)
	if err := json.Unmarshal(payload, p); err != nil || p.Version != 1 {
		p.clear()
		return nil, keystore.ErrUnsupportedVersion
	}
	return p, nil
}

// mnemonic rebuilds the phrase of the payload.
func (p *vaultPayload) mnemonic() (recovery.Mnemonic, error) {
	lang, ok := recovery.LanguageByTag(p.Language)
	if !ok {
		return recovery.Mnemonic{}, recovery.ErrUnknownLanguage
	}
	return recovery.FromEntropy(lang, p.Entropy)
}

// clear zeroes the payload's secret bytes.
func (p *vaultPayload) clear() {
	clear(p.Entropy)
	clearKeys(p.Imported)
}

// unlocked keeps seed, of the vault file, as the unlocked wallet and
// returns its addresses. A vault saved before fingerprints, or whose
// metadata was lost, gets its fingerprint back.
func (a *App) unlocked(seed []byte, verified bool, file string) ([]wallet.Address, error) {
	addrs, err := wallet.Preview(seed)
	if err != nil {
		clear(seed)
		return nil, err
	}
	fp, err := wallet.MasterFingerprint(seed)
	if err != nil {
		clear(seed)
		return nil, err
	}
	if m, err := readMeta(file); err != nil || m.Fingerprint != fp {
		if err := updateMeta(file, func(m *walletMeta) { m.Fingerprint = fp }); err != nil {
			clear(seed)
			return nil, err
		}
	}
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	clear(a.wallet.seed)
	a.wallet.seed, a.wallet.addresses, a.wallet.verified, a.wallet.file = seed, addrs, verified, file
	a.wallet.fingerprint = fp
	return addrs, nil
}

// Addresses returns the unlocked wallet's first addresses.
func (a *App) Addresses() ([]wallet.Address, error) {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	if a.wallet.seed == nil {
		return nil, ErrWalletLocked
	}
	return a.wallet.addresses, nil
}

// BackupVerified reports whether the unlocked wallet's phrase was checked
// by the backup quiz (or typed in by a restore).
func (a *App) BackupVerified() bool {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	return a.wallet.verified
}

// LockWallet forgets the unlocked seed.
func (a *App) LockWallet() {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	clear(a.wallet.seed)
	clearKeys(a.wallet.imported)
	a.wallet.seed, a.wallet.addresses, a.wallet.imported = nil, nil, nil
}

// Unlocked reports whether the wallet is open in memory. It reads no file.
func (a *App) Unlocked() bool {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	return a.wallet.seed != nil
}

// CheckWalletPassword applies the password policy to a new wallet password
// (as to an account password, without an email): keystore.ErrEmptyPassword,
// or a *WeakPasswordError with the reasons. The screens and the app call it.
func CheckWalletPassword(password string) error {
	if password == "" {
		return keystore.ErrEmptyPassword
	}
	return authapi.CheckPassword(password, "")
}

// ChangeWalletPassword re-encrypts the vault under a new password. The
// unowned vault, changed while signed in, becomes the account's.
func (a *App) ChangeWalletPassword(ctx context.Context, current, password, confirm string) error {
	if err := CheckWalletPassword(password); err != nil {
		return err
	}
	if !same(password, confirm) {
		return ErrPasswordsDiffer
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	old, pw := []byte(current), []byte(password)
	defer clear(old)
	defer clear(pw)
	found, own, err := a.vaultFiles()
	if err != nil {
		return err
	}
	if found == "" {
		return ErrNoWallet
	}
	if err := keystore.ChangePassword(found, old, pw); err != nil {
		return fmt.Errorf("changing the wallet password: %w", err)
	}
	if err := claim(found, own); err != nil {
		return err
	}
	a.wallet.mu.Lock()
	if a.wallet.file == found {
		a.wallet.file = own
	}
	a.wallet.mu.Unlock()
	return nil
}
