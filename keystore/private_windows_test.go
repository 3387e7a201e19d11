package keystore_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"sesame/keystore"
)

// The vault's folder is private to the user: made with a protected DACL
// that grants only the user and SYSTEM, inherited by the vault, and a
// folder found wider is narrowed at the next save.
func TestSavePrivateFolderACL(t *testing.T) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"S-1-5-18", u.User.Sid.String()} // SYSTEM, the user
	slices.Sort(want)

	base := tempDir(t)
	made := filepath.Join(base, "made", "wallet.vault")
	wide := filepath.Join(base, "wide", "wallet.vault")
	if err := keystore.Save(made, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A folder anyone may use: a protected DACL of Everyone (WD) alone.
	// Wine keeps no DACL: it maps one to the Unix mode bits and back
	// (never protected), so where the DACL does not read back as set,
	// nothing can be checked.
	everyone, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;WD)")
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, _ := everyone.DACL()
	if err := os.Mkdir(filepath.Dir(wide), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(filepath.Dir(wide), windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil); err != nil {
		t.Fatal(err)
	}
	if protected, sids := readDACL(t, filepath.Dir(wide)); !protected || !slices.Equal(sids, []string{"S-1-1-0"}) {
		sd, _ := windows.GetNamedSecurityInfo(filepath.Dir(wide), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
		t.Skipf("this system does not keep a DACL as set (Wine maps it to Unix mode bits): set %s, read back %s", everyone, sd)
	}
	if err := keystore.Save(wide, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{made, wide} {
		if protected, sids := readDACL(t, filepath.Dir(path)); !protected || !slices.Equal(sids, want) {
			t.Errorf("%s: protected %v, granted %q; want protected, %q", filepath.Dir(path), protected, sids, want)
		}
		if _, sids := readDACL(t, path); !slices.Equal(sids, want) {
			t.Errorf("%s: granted %q; want %q", path, sids, want)
		}
	}
}

// readDACL reads path's DACL back: whether it is protected and the sorted
// SIDs of its entries, all of which must allow. It skips the test when the
// system does not implement the call.
func readDACL(t *testing.T, path string) (protected bool, sids []string) {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if errors.Is(err, windows.ERROR_CALL_NOT_IMPLEMENTED) {
		t.Skipf("GetNamedSecurityInfo is not implemented here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	control, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("%s has no DACL (%v): anyone may open it", path, err)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			t.Fatalf("%s: entry %d is of type %d, not an allow entry", path, i, ace.Header.AceType)
		}
		sids = append(sids, (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String())
	}
	slices.Sort(sids)
	return control&windows.SE_DACL_PROTECTED != 0, sids
}

// A folder counts as private only with the protected DACL of the user and
// SYSTEM, whatever other flags Windows adds; anything else is fixed.
func TestSameDACL(t *testing.T) {
	want, err := keystore.PrivateSD()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := windows.GetCurrentProcessToken().GetTokenUser()
	user := "(A;OICI;FA;;;" + u.User.Sid.String() + ")"
	for sddl, same := range map[string]bool{
		"D:P" + user + "(A;OICI;FA;;;SY)":                  true,
		"D:PAI" + user + "(A;OICI;FA;;;SY)":                true, // as SetNamedSecurityInfo leaves it
		"D:" + user + "(A;OICI;FA;;;SY)":                   false,
		"D:AI" + user + "(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)": false,
		"D:P" + user + "(A;OICI;FA;;;SY)(A;OICI;FR;;;WD)":  false,
		"D:P" + user: false,
		"D:P":        false,
	} {
		sd, err := windows.SecurityDescriptorFromString(sddl)
		if err != nil {
			t.Fatalf("%s: %v", sddl, err)
		}
		if got := keystore.SameDACL(sd, want); got != same {
			t.Errorf("%s: private %v, want %v", sddl, got, same)
		}
	}
}
