// Types for split-tinystories.mjs, so the assets tests can import it.
export declare const CALIBRATION_SHARE: number;
export declare const FIXTURE: string;
export declare const DATA_DIR: string;
export declare function splitTinyStories(text: string): { calibration: string[]; heldout: string[] };
export declare function joinDocuments(paragraphs: string[]): string;
