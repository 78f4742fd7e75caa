import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { ModelEditor } from './ModelEditor';
import { ProcessList, ProcessShow } from './ProcessPages';

/** Resource "models" = the "Prozesse" area (issue 7). */
export const models = { name: 'models', list: ProcessList, show: ProcessShow, edit: ModelEditor, icon: AccountTreeIcon, options: { label: 'Prozesse' } };
