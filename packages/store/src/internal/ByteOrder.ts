/**
 * The column type of identifiers, keys and hashes: text compared byte by byte. Sorting, joining and
 * indexing millions of them under a linguistic collation (strcoll, no abbreviated keys) is several
 * times slower, and their order carries no meaning for people. Temp tables of a publish use it for
 * the same columns, so their sorts and indexes are fast too.
 */
export const ID_TEXT = `text collate "C"`
