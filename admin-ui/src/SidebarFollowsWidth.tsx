/**
 * The menu follows the window's width: react-admin keeps the menu's open state from the start, so a
 * desktop window narrowed to phone width (< 600 px) showed the open menu as a modal drawer over the
 * page – the page behind it unreachable, also for screen readers. Narrowed, the menu closes;
 * widened again, it opens. The first render keeps the user's stored choice.
 */
import { useEffect, useRef } from 'react';
import { Sidebar, type SidebarProps, useSidebarState } from 'react-admin';
import { type Theme, useMediaQuery } from '@mui/material';

const usePhone = () => useMediaQuery((t: Theme) => t.breakpoints.down('sm'), { noSsr: true });

export function SidebarFollowsWidth() {
  const phone = usePhone();
  const [, setOpen] = useSidebarState();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setOpen(!phone);
    // Only a change of the width class matters.
  }, [phone]);
  return null;
}

/**
 * react-admin's menu, drawn anew whenever it is closed on a phone. When the phone drawer mounted
 * open and closed at once (a narrowed desktop window), MUI's modal stayed behind as an invisible
 * layer over the whole page that took every tap; a drawer that starts closed leaves nothing.
 */
export function KimSidebar(props: SidebarProps) {
  const phone = usePhone();
  const [open] = useSidebarState();
  return <Sidebar key={phone && !open ? 'phone-closed' : 'shown'} {...props} />;
}
