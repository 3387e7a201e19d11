package keystore

var (
	PrivateSD = privateSD
	SameDACL  = sameDACL
)
