// MMLU prompts in the format of lm-evaluation-harness's `mmlu` tasks (the
// original Hendrycks format): a header naming the subject, k solved dev questions,
// then the question; each choice is scored as the continuation " A" .. " D".

export interface MmluQuestion {
  /** File-name subject, e.g. "abstract_algebra". */
  subject: string;
  question: string;
  choices: [string, string, string, string];
  /** 0-based index of the correct choice. */
  answer: number;
  file: string;
  line: number;
}

export const MMLU_LETTERS = ['A', 'B', 'C', 'D'] as const;

/** `The following are multiple choice questions (with answers) about <subject>.\n\n` */
export function mmluHeader(subject: string): string {
  return `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
}

/** The harness's doc_to_text: question (stripped), lettered choices, "Answer:". */
export function formatMmluQuestion(question: MmluQuestion): string {
  const choices = question.choices.map((c, i) => `${MMLU_LETTERS[i]}. ${c}\n`).join('');
  return `${question.question.trim()}\n${choices}Answer:`;
}

/** Full context: header, each shot followed by " <letter>\n\n", then the question. */
export function mmluPrompt(subject: string, shots: readonly MmluQuestion[], question: MmluQuestion): string {
  const examples = shots.map((s) => `${formatMmluQuestion(s)} ${MMLU_LETTERS[s.answer]}\n\n`).join('');
  return mmluHeader(subject) + examples + formatMmluQuestion(question);
}
