package app

// DataDirOn is DataDir on another system, with its environment and home.
var DataDirOn = dataDir
