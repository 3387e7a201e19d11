package keystore

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// privateSD is the security descriptor of a private folder: a protected
// DACL (nothing inherited from the parent) that grants full control to the
// current user and to SYSTEM, as Windows' profile folders do, and is
// inherited by every file and folder made in it. Administrators are left
// out: they can still take ownership of the folder, but no longer read the
// vault by the profile's default ACL.
func privateSD() (*windows.SECURITY_DESCRIPTOR, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("reading the current user: %w", err)
	}
	return windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + u.User.Sid.String() + ")(A;OICI;FA;;;SY)")
}

// mkdir creates dir with the private DACL from the start.
func mkdir(dir string) error {
	sd, err := privateSD()
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	sa := windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}
	if err := windows.CreateDirectory(p, &sa); err != nil {
		return &fs.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// restricting serializes restrictDir: SetNamedSecurityInfo calls on one
// folder at once can fail (Wine: ERROR_INSUFFICIENT_BUFFER).
var restricting sync.Mutex

// restrictDir gives dir the private DACL unless it has it already;
// SetNamedSecurityInfo passes its inheritable entries on to the files and
// folders already in it.
func restrictDir(dir string) error {
	restricting.Lock()
	defer restricting.Unlock()
	want, err := privateSD()
	if err != nil {
		return err
	}
	if sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION); err == nil && sameDACL(sd, want) {
		return nil
	}
	dacl, _, err := want.DACL()
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("restricting %s to its user: %w", dir, err)
	}
	return nil
}

// sameDACL reports whether sd's DACL is protected and holds want's entries,
// in SDDL: its other flags (auto-inherited) do not matter.
func sameDACL(sd, want *windows.SECURITY_DESCRIPTOR) bool {
	control, _, err := sd.Control()
	_, have, _ := strings.Cut(sd.String(), "(")
	_, wanted, _ := strings.Cut(want.String(), "(")
	return err == nil && control&windows.SE_DACL_PROTECTED != 0 && have == wanted
}
