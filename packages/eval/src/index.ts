export { EvalError } from './eval-error.js';
export type { EvalErrorCode, EvalErrorDetails } from './eval-error.js';
export type { EvalForwardResult, EvalModel, EvalTokenizer } from './model-interface.js';

export { evaluateTasks } from './evaluate-tasks.js';
export type { EvalProgress, EvalReport, EvaluateOptions, LossTaskResult, McTaskResult, TaskResult } from './evaluate-tasks.js';
export { parseTaskSpec, TASK_KINDS } from './task-spec.js';
export type { TaskKind, TaskSpec } from './task-spec.js';

export { languageModelLoss } from './language-model-loss.js';
export type { LanguageModelLoss, LanguageModelLossOptions } from './language-model-loss.js';
export { compareModels } from './compare-models.js';
export type { ModelAgreement, ModelComparison } from './compare-models.js';
export { evaluateMultipleChoice, summarizeMultipleChoice } from './multiple-choice.js';
export type { McItem, McItemResult, McSummary, MultipleChoiceOptions } from './multiple-choice.js';
export { scoreContinuations } from './score-continuations.js';
export type { ContinuationRequest, ContinuationScore, ScoreOptions } from './score-continuations.js';
export { encodePair } from './encode-pair.js';
export type { EncodedPair, EncodePairOptions } from './encode-pair.js';
export { rollingTokenWindows, makeDisjointWindow, documentWindows } from './rolling-windows.js';
export type { TokenWindow } from './rolling-windows.js';

export { mmluPrompt } from './mmlu-prompt.js';
export type { MmluQuestion } from './mmlu-prompt.js';
export { loadMmluTask, readMmluFile, readMmluParquet } from './read-mmlu.js';
export type { MmluSplit, MmluTask, MmluTaskOptions, MmluSubjectInfo } from './read-mmlu.js';
export { readArc, arcPrompt } from './read-arc.js';
export { readHellaswag, hellaswagPreprocess, hellaswagQuery } from './read-hellaswag.js';
export { readBoolq, boolqPrompt } from './read-boolq.js';
export { readMcJsonl } from './read-mc-jsonl.js';
export { readLossDocuments } from './read-loss-documents.js';
export type { LossDocument, LossReadOptions } from './read-loss-documents.js';
export type { TaskReadOptions } from './read-text-lines.js';
export { describeMalformedRow, MalformedRowCollector } from './malformed-rows.js';
export type { MalformedRow } from './malformed-rows.js';
export { selectItems } from './select-items.js';
export type { SelectOptions } from './select-items.js';
