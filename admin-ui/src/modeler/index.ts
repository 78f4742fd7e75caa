import AccountTreeIcon from '@mui/icons-material/AccountTree';
import { lazyComponent } from '../lazy';

// The modeler (bpmn-js, its properties panel, form-js editor) is loaded when "Prozesse" is opened.
const ProcessList = lazyComponent(() => import('./ProcessPages'), 'ProcessList');
const ProcessShow = lazyComponent(() => import('./ProcessPages'), 'ProcessShow');
const ModelEditor = lazyComponent(() => import('./ModelEditor'), 'ModelEditor');

/** Resource "models" = the "Prozesse" area. */
export const models = { name: 'models', list: ProcessList, show: ProcessShow, edit: ModelEditor, icon: AccountTreeIcon, options: { label: 'Prozesse' } };
