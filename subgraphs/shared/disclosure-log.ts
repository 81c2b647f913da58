// An owner's disclosure log: where it is in the institution's own database, and its indexes.

/** The collections of an owner's disclosure log, in its own database. */
export const DISCLOSURE_LOG = 'disclosure';
/** Its indexes beside the log's own: a record's history, what one grant disclosed, the imports. */
export const DISCLOSURE_LOG_INDEXES: Record<string, 1 | -1>[] = [{ 'records.key': 1 }, { grants: 1, at: -1, _id: -1 }, { entryType: 1, at: -1, _id: -1 }];
