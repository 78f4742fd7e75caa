/**
 * The German alert of a failed form submission: the problem's title and, as a list, the messages
 * no field of the form shows itself (`shown` are the keys the form's fields display; `first` are
 * messages the form wants listed before them).
 */
import { Alert } from '@mui/material';
import { FormProblem, otherErrors } from './problem';

export function ProblemAlert({ problem, shown, first = [] }: { problem: FormProblem | null; shown: string[]; first?: Array<string | undefined> }) {
  if (!problem) return null;
  const items = [...first, ...otherErrors(problem, shown)].filter((t): t is string => !!t);
  return (
    <Alert severity="error" sx={{ mt: 2 }}>
      {problem.title}
      {items.length > 0 && (
        <ul style={{ margin: 0 }}>
          {items.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
