// @plinth/body-writer: how every standard body type writes itself to the client.
// Everything of the portable entry (@plinth/body-writer/portable), plus file(),
// which needs Node's file system; code that must run on workers imports the
// portable entry instead (see the README, "Entry points").

export type { FileOptions } from './file';
// Body constructors that need node:fs
export { DEFAULT_FILE_CHUNK, file } from './file';
export * from './portable';
